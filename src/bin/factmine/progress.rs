//! Progress of a batch run on a terminal: documents, megabytes of input,
//! speed and time left, redrawn in place on stderr a few times a second.

use factmine::batch::Summary;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Draws a progress line on stderr, when stderr is a terminal.
pub struct Progress {
    started: Instant,
    last: Option<Instant>,
    total_bytes: u64,
    bytes_read: Arc<AtomicU64>,
    enabled: bool,
}

impl Progress {
    /// A progress line for a run over `total_bytes` of input files, read
    /// through `bytes_read`; silent unless stderr is a terminal and `quiet`
    /// is off.
    pub fn new(total_bytes: u64, bytes_read: Arc<AtomicU64>, quiet: bool) -> Progress {
        Progress {
            started: Instant::now(),
            last: None,
            total_bytes,
            bytes_read,
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Redraws the line after a batch (at most five times a second).
    pub fn update(&mut self, summary: &Summary) {
        if !self.enabled
            || self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(200))
        {
            return;
        }
        self.last = Some(Instant::now());
        let _ = write!(std::io::stderr(), "\r{}\x1b[K", self.line(summary));
    }

    /// The progress line: documents, MB read, MB/s, share done and ETA.
    pub fn line(&self, summary: &Summary) -> String {
        let read = self.bytes_read.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(1e-6);
        let mb = read as f64 / 1e6;
        let mut line = format!(
            "{} documents, {mb:.1} MB, {:.1} MB/s",
            summary.read,
            mb / secs
        );
        if self.total_bytes > 0 && read > 0 {
            let share = (read as f64 / self.total_bytes as f64).min(1.0);
            let left = secs * (1.0 - share) / share;
            line.push_str(&format!(
                ", {:.0}%, ETA {}:{:02}",
                share * 100.0,
                left as u64 / 60,
                left as u64 % 60
            ));
        }
        line
    }

    /// Clears the line at the end of the run.
    pub fn finish(&self) {
        if self.enabled && self.last.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

/// The process's peak resident memory in bytes, where the system reports
/// it (Linux: `VmHWM` in /proc/self/status).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The CPU time (user and system) the calling thread has used, in seconds,
/// where the system reports it (Linux: /proc/thread-self/stat, in the
/// kernel's fixed user tick of 1/100 s).
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name (which may hold spaces) in
    // parentheses: utime and stime are the 12th and 13th of them.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
