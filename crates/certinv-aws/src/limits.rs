//! Two bounds on how hard certinv leans on AWS: a global cap on calls in
//! flight (`--concurrency`), and a per-account-region rate for each ACM
//! operation so one busy region never trips ACM's per-region quotas.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Caps the number of AWS calls in flight across the whole run.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(limit: usize) -> Self {
        InFlight(Arc::new(Semaphore::new(limit.max(1))))
    }

    pub async fn run<F: Future>(&self, call: F) -> F::Output {
        // The semaphore is never closed, so acquire cannot fail.
        let _permit = self.0.acquire().await.expect("in-flight semaphore closed");
        call.await
    }
}

/// A generic cell rate limiter: `per_second` calls on average, with bursts
/// of up to `burst`. Each caller reserves a slot, then sleeps until it.
pub struct RateLimiter {
    interval: Duration,
    tolerance: Duration,
    theoretical_arrival: Mutex<Instant>,
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let interval = Duration::from_secs(1) / per_second.max(1);
        RateLimiter {
            interval,
            tolerance: interval * burst.saturating_sub(1),
            theoretical_arrival: Mutex::new(Instant::now()),
        }
    }

    fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut tat = self
            .theoretical_arrival
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let arrival = (*tat).max(now);
        let start = if arrival.duration_since(now) > self.tolerance {
            arrival - self.tolerance
        } else {
            now
        };
        *tat = arrival + self.interval;
        start
    }

    pub async fn acquire(&self) {
        tokio::time::sleep_until(self.reserve()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_then_paces() {
        let limiter = RateLimiter::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst is free");
        for _ in 0..10 {
            limiter.acquire().await;
        }
        // After the burst, ten more calls at 10/s take one second.
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(990) && took <= Duration::from_millis(1010),
            "{took:?}"
        );
    }
}
