//! Throughput benchmark: `cargo bench --bench throughput`.
//!
//! Builds gzip-compressed JSON-lines dumps from the bundled corpus (64 MB of
//! JSON by default; set `FACTMINE_BENCH_MB=64,1024` for more sizes), then
//! reports, for each size:
//! - the read floor: reading and decompressing the dump, nothing else;
//! - the bare pass: the compiled gazetteer automaton and pattern finders run
//!   once over every text (already in memory), one core, nothing else;
//! - the same texts through extraction alone (candidates) and through the
//!   whole analysis (facts placed in their sections and sentences), in this
//!   process on one core, as a share of the bare pass: where the end-to-end
//!   figure's time goes, before any reading or writing;
//! - `factmine extract` end to end on one core, two and all cores (MB/s of
//!   document text and documents/s), with its peak memory, and its speed as
//!   a share of each floor; the speed-up over one core and the serial share
//!   Amdahl's law gives it;
//! - the one-core figures (bare pass, stages, extract) are the median of
//!   three runs (`FACTMINE_BENCH_RUNS=n` for another count), with their
//!   range;
//! - the same run with a small knowledge base (the ICS gazetteer only), to
//!   show what the full knowledge base costs.

use factmine::ingest::{self, Records};
use factmine::{Document, Pipeline};
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::copy_dir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus documents as JSON-lines records (id set later).
fn corpus_records() -> Vec<serde_json::Value> {
    Records::new(ingest::discover(&[root().join("corpus")], &[]).sources)
        .filter_map(Result::ok)
        .map(|d| {
            serde_json::json!({
                "title": d.title,
                "published": d.published.map(|p| p.to_string()),
                "text": d.text,
            })
        })
        .collect()
}

/// Writes (once) a gzip dump holding about `mb` MB of JSON lines.
fn make_dump(mb: u64) -> PathBuf {
    let dir = root().join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("dump-{mb}MB.jsonl.gz"));
    if path.exists() {
        return path;
    }
    let records = corpus_records();
    let tmp = path.with_extension("tmp");
    let mut out = GzEncoder::new(
        std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap()),
        flate2::Compression::fast(),
    );
    let (mut written, mut i) = (0u64, 0usize);
    while written < mb << 20 {
        let mut r = records[i % records.len()].clone();
        r["id"] = format!("doc-{i:08}").into();
        let line = format!("{r}\n");
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    out.finish().unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

struct Pass {
    seconds: f64,
    text_bytes: u64,
    documents: u64,
}

impl Pass {
    fn mb_s(&self) -> f64 {
        self.text_bytes as f64 / 1e6 / self.seconds
    }
}

fn read_floor(dump: &Path) -> Pass {
    let started = Instant::now();
    let (mut text_bytes, mut documents) = (0, 0);
    for d in Records::new(ingest::discover(&[dump.to_path_buf()], &[]).sources).flatten() {
        text_bytes += d.text.len() as u64;
        documents += 1;
    }
    Pass {
        seconds: started.elapsed().as_secs_f64(),
        text_bytes,
        documents,
    }
}

/// The dump's documents, decoded and held in memory for the passes run
/// in this process.
fn documents(dump: &Path) -> Vec<Document> {
    Records::new(ingest::discover(&[dump.to_path_buf()], &[]).sources)
        .flatten()
        .collect()
}

/// One pass over documents already in memory on this thread (one core),
/// timed.
fn in_process(docs: &[Document], pass: impl Fn(&Document) -> usize) -> Pass {
    let started = Instant::now();
    let found: usize = docs.iter().map(pass).sum();
    assert!(found > 0);
    Pass {
        seconds: started.elapsed().as_secs_f64(),
        text_bytes: docs.iter().map(|d| d.text.len() as u64).sum(),
        documents: docs.len() as u64,
    }
}

/// How many times each one-core figure is measured: the median is
/// reported, with the range (this kind of machine varies 10–25% from run
/// to run).
fn repeats() -> usize {
    std::env::var("FACTMINE_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("FACTMINE_BENCH_RUNS: a count, e.g. 3"))
        .unwrap_or(3)
        .max(1)
}

/// The median of `runs` passes (with what each run also measured), and
/// the range of their speeds.
fn median<T>(runs: usize, mut pass: impl FnMut() -> (Pass, T)) -> Median<T> {
    let mut passes: Vec<(Pass, T)> = (0..runs).map(|_| pass()).collect();
    passes.sort_by(|a, b| a.0.seconds.total_cmp(&b.0.seconds));
    let fastest = passes[0].0.mb_s();
    let slowest = passes[passes.len() - 1].0.mb_s();
    let (pass, also) = passes.swap_remove(passes.len() / 2);
    Median {
        pass,
        also,
        range: if runs > 1 {
            format!(" ({slowest:.1}–{fastest:.1})")
        } else {
            String::new()
        },
    }
}

/// The median of a repeated measurement.
struct Median<T> {
    pass: Pass,
    /// What the median run also measured (peak memory).
    also: T,
    /// The range of speeds over the runs, for printing.
    range: String,
}

/// Whether `taskset` can pin a run to one CPU: `--threads 1` bounds the
/// workers, but the main thread reads and writes beside them, so a
/// one-core figure needs the process pinned.
fn can_pin() -> bool {
    Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the release binary (pinned to one CPU for one thread, when it can
/// be); returns the pass and its peak memory.
fn extract(dump: &Path, threads: Option<usize>, rules: &Path) -> (Pass, u64) {
    let out = root().join("target/bench-data/out");
    let binary = env!("CARGO_BIN_EXE_factmine");
    let mut cmd = if threads == Some(1) && can_pin() {
        let mut pinned = Command::new("taskset");
        pinned.args(["-c", "0", binary]);
        pinned
    } else {
        Command::new(binary)
    };
    cmd.arg("extract")
        .arg(dump)
        .arg("--out")
        .arg(&out)
        .arg("--rules")
        .arg(rules)
        .arg("--stats");
    if let Some(n) = threads {
        cmd.args(["--threads", &n.to_string()]);
    }
    let started = Instant::now();
    let output = cmd.output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    let pass = Pass {
        seconds,
        text_bytes: stats["text_bytes"].as_u64().unwrap(),
        documents: stats["documents"]["read"].as_u64().unwrap(),
    };
    (pass, stats["peak_memory_bytes"].as_u64().unwrap_or(0))
}

/// A copy of the rules with only the ICS gazetteer (no organisations or
/// technologies), to measure what the knowledge base costs.
fn small_rules() -> PathBuf {
    let dir = root().join("target/bench-data/rules-small");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("rules"), &dir);
    for name in ["organisations.tsv", "technologies.tsv"] {
        let path = dir.join("gazetteers").join(name);
        let header: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .take(1)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&path, header).unwrap();
    }
    dir
}

fn main() {
    let sizes: Vec<u64> = std::env::var("FACTMINE_BENCH_MB")
        .unwrap_or_else(|_| "64".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("FACTMINE_BENCH_MB: sizes in MB, e.g. 64,1024")
        })
        .collect();
    let rules = root().join("rules");
    let pipeline = Pipeline::load(&rules).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "factmine throughput ({cores} cores; one-core runs {}); MB/s of document text\n",
        if can_pin() {
            "pinned to one CPU"
        } else {
            "not pinned: no taskset"
        }
    );
    for mb in sizes {
        let dump = make_dump(mb);
        let size = std::fs::metadata(&dump).unwrap().len();
        println!(
            "dump: {mb} MB of JSON lines ({:.1} MB gzip), {}",
            size as f64 / 1e6,
            dump.display()
        );
        let read = read_floor(&dump);
        let docs = documents(&dump);
        let runs = repeats();
        let bare = median(runs, || {
            (
                in_process(&docs, |d| pipeline.extractor.bare_pass(&d.text)),
                (),
            )
        });
        println!(
            "  read + decompress floor   {:>8.1} MB/s  ({} documents)",
            read.mb_s(),
            read.documents
        );
        println!(
            "  bare automata pass, 1 core{:>8.1} MB/s{}  (median of {runs})",
            bare.pass.mb_s(),
            bare.range
        );
        let bare = bare.pass;
        // The same documents through the stages, still in this process:
        // what extraction alone costs against the bare pass, and what
        // placing its facts adds, before any reading or writing.
        let stage = |label: &str, analyse: &dyn Fn(&Document) -> usize| {
            let run = median(runs, || (in_process(&docs, analyse), ()));
            println!(
                "  {label:<10} (in process), 1 core{:>6.1} MB/s{}  = {:.0}% of bare pass",
                run.pass.mb_s(),
                run.range,
                100.0 * run.pass.mb_s() / bare.mb_s()
            );
        };
        stage("candidates", &|d| {
            pipeline.extractor.extract(&d.text, d.published).len()
        });
        stage("analysis", &|d| pipeline.analyse(d).facts.len());
        drop(docs);
        let mut runs_by_cores: Vec<(usize, f64)> = Vec::new();
        let mut counts = vec![1, 2, cores];
        counts.retain(|&n| n <= cores);
        counts.dedup();
        for n in counts {
            // The one-core run is the goal's figure: its median.
            let times = if n == 1 { runs } else { 1 };
            let run = median(times, || extract(&dump, Some(n), &rules));
            let (pass, peak) = (run.pass, run.also);
            let label = if n == 1 {
                "1 core".to_string()
            } else {
                format!("{n} cores")
            };
            println!(
                "  extract, {label:<9}         {:>8.1} MB/s{}  {:>7.0} docs/s  peak {:>5.0} MB  = {:.0}% of bare pass, {:.0}% of read floor",
                pass.mb_s(),
                run.range,
                pass.documents as f64 / pass.seconds,
                peak as f64 / 1e6,
                100.0 * pass.mb_s() / bare.mb_s(),
                100.0 * pass.mb_s() / read.mb_s()
            );
            runs_by_cores.push((n, pass.seconds));
        }
        // Speed-up over one core, and the serial share Amdahl's law gives
        // it: s = (n / speed-up - 1) / (n - 1).
        let one = runs_by_cores[0].1;
        for &(n, seconds) in &runs_by_cores[1..] {
            let speedup = one / seconds;
            let serial = (n as f64 / speedup - 1.0) / (n as f64 - 1.0);
            println!(
                "  speed-up on {n} cores {speedup:>5.2}×  (serial share by Amdahl's law {:.0}%)",
                100.0 * serial.max(0.0)
            );
        }
        let (small, _) = extract(&dump, Some(1), &small_rules());
        println!(
            "  extract, 1 core, ICS gazetteer only {:>6.1} MB/s (knowledge base cost)",
            small.mb_s()
        );
        println!();
    }
}
