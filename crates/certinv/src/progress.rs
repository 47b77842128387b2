//! Run events to stderr: a spinner on a terminal (unless `--quiet`), and
//! warnings, scope misses and decisions always, one line each.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use certinv_aws::fanout::{Event, Observer};
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    counts: Mutex<(usize, usize)>,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            counts: Mutex::new((0, 0)),
        }
    }

    /// A line that must be seen whatever `--quiet` says.
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn on(&self, event: Event<'_>) {
        match event {
            Event::Accounts(n) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("reading {n} accounts"));
                }
            }
            Event::PairRead { certificates, .. } => {
                let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
                c.0 += 1;
                c.1 += certificates;
                if let Some(bar) = &self.bar {
                    bar.set_message(format!(
                        "{} account-regions read, {} certificates",
                        c.0, c.1
                    ));
                }
            }
            Event::Missed(m) => self.line(&format!(
                "warning: not read: account {} {}: {:?}: {}",
                m.account_id,
                m.region
                    .as_deref()
                    .map(|r| format!("region {r}"))
                    .unwrap_or_else(|| "(all regions)".into()),
                m.reason,
                m.detail
            )),
            Event::Warning(text) => self.line(&format!("warning: {text}")),
            Event::Decision(d) => self.line(&d.to_string()),
        }
    }
}
