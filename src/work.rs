//! A tally of the work an analysis does, in bytes of text examined: what
//! each matcher pass is handed, and what each look-back, look-ahead,
//! sentence split and sentence cut reads. Unlike time it is exact and the
//! same on every machine, so tests can check that work grows with the
//! input and no faster: a stage that went back over its text at every
//! match would show as work growing with the square of the input's size.
//!
//! The tally is kept per thread (one analysis runs on one thread), so
//! counting shares no memory between threads.

use std::cell::Cell;

thread_local! {
    static EXAMINED: Cell<u64> = const { Cell::new(0) };
}

/// Counts `bytes` of text examined on this thread.
#[inline]
pub fn examined(bytes: usize) {
    EXAMINED.with(|e| e.set(e.get() + bytes as u64));
}

/// The bytes examined on this thread since the last call; the tally
/// starts afresh.
pub fn take() -> u64 {
    EXAMINED.with(|e| e.replace(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tally_is_per_thread_and_taken_once() {
        take();
        examined(10);
        examined(5);
        std::thread::spawn(|| examined(1000)).join().unwrap();
        assert_eq!(take(), 15);
        assert_eq!(take(), 0);
    }
}
