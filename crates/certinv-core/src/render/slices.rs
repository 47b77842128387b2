//! Rendering a large report's certificates on every core. The certificates
//! are cut into slices; each thread renders every n-th slice into a buffer
//! of its own, and the caller writes the buffers in order, so the output is
//! what one thread rendering them all would write.

use std::io::{self, Write};
use std::sync::mpsc;
use std::thread;

use crate::model::Certificate;

/// `render(index, slice, buffer)` fills `buffer` (cleared, reused) with the
/// slice's output; slices of `slice_len` certificates are written to `out`
/// in order.
pub(super) fn write_in_order(
    certs: &[Certificate],
    slice_len: usize,
    out: &mut impl Write,
    render: impl Fn(usize, &[Certificate], Vec<u8>) -> io::Result<Vec<u8>> + Sync,
) -> io::Result<()> {
    let slices: Vec<&[Certificate]> = certs.chunks(slice_len.max(1)).collect();
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(slices.len());
    if workers <= 1 {
        let mut buf = Vec::new();
        for (i, slice) in slices.iter().enumerate() {
            buf.clear();
            buf = render(i, slice, buf)?;
            out.write_all(&buf)?;
        }
        return Ok(());
    }
    thread::scope(|s| {
        // Worker w renders slices w, w + workers, ...; reading the channels
        // round-robin puts them back in order, two slices ahead at most.
        // Written buffers go back to their worker: a fresh one per slice
        // would fault in and zero a gigabyte of pages over the whole report.
        let render = &render;
        let workers: Vec<Worker> = (0..workers)
            .map(|w| {
                let (tx, rx) = mpsc::sync_channel(2);
                let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
                let slices = &slices;
                s.spawn(move || {
                    for (i, slice) in slices.iter().enumerate().skip(w).step_by(workers) {
                        let mut buf = back_rx.try_recv().unwrap_or_default();
                        buf.clear();
                        if tx.send(render(i, slice, buf)).is_err() {
                            return;
                        }
                    }
                });
                Worker {
                    rendered: rx,
                    back: back_tx,
                }
            })
            .collect();
        for i in 0..slices.len() {
            let worker = &workers[i % workers.len()];
            let bytes = worker
                .rendered
                .recv()
                .map_err(|_| io::Error::other("a rendering thread stopped"))??;
            out.write_all(&bytes)?;
            // The worker may have finished; then the buffer is simply freed.
            let _ = worker.back.send(bytes);
        }
        Ok(())
    })
}

struct Worker {
    rendered: mpsc::Receiver<io::Result<Vec<u8>>>,
    back: mpsc::Sender<Vec<u8>>,
}
