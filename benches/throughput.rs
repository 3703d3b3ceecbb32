//! Throughput benchmark: `cargo bench --bench throughput`.
//!
//! Builds gzip-compressed JSON-lines dumps from the bundled corpus (64 MB of
//! JSON by default; set `FACTMINE_BENCH_MB=64,1024` for more sizes), then
//! reports, for each size:
//! - the read floor: reading and decompressing the dump, nothing else;
//! - the bare pass: the compiled gazetteer automaton and pattern finders run
//!   once over every text (already in memory), one core, nothing else, in
//!   groups of documents as the pipeline takes them (the gazetteer over a
//!   group, then each finder over it: the floor), and a document at a time;
//! - the same texts through extraction alone (candidates) and through the
//!   whole analysis (facts placed in their sections and sentences), in this
//!   process on one core, in the same groups, as a share of the bare pass:
//!   where the end-to-end figure's time goes, before any reading or writing;
//! - `factmine extract` end to end on one core, two and all cores (MB/s of
//!   document text and documents/s), with its peak memory, and its speed as
//!   a share of each floor; the speed-up over one core and the serial share
//!   Amdahl's law gives it, beside the serial parts the run measures
//!   itself (start-up, and the CPU of the main thread, which writes every
//!   line);
//! - the one-core figures (bare pass, stages, extract) are measured in
//!   rounds, each round all four back to back, three rounds by default
//!   (`FACTMINE_BENCH_RUNS=n` for another count): each figure is the
//!   median over the rounds, with its range, and each share of the bare
//!   pass is the median of the rounds' own shares, so that the machine's
//!   drift over a run (10–25% here) moves a share's two sides together;
//! - the same run with a small knowledge base (the ICS gazetteer only), to
//!   show what the full knowledge base costs.

use factmine::budget::{Account, Budget};
use factmine::extract::{searchable, GroupText};
use factmine::ingest::{self, Records};
use factmine::{batch, Document, Pipeline};
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::copy_dir;

/// The binary's allocator, so the stages measured in this process
/// allocate as `factmine extract` does.
#[global_allocator]
static ALLOCATOR: factmine::alloc::MiMalloc = factmine::alloc::MiMalloc;

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
/// a group at a time as `factmine extract` takes them on one thread, timed.
fn in_process(docs: &[Document], pass: impl Fn(&[&Document]) -> usize) -> Pass {
    let group = batch::group_size(batch::default_batch(1), 1);
    let started = Instant::now();
    let found: usize = docs
        .chunks(group)
        .map(|g| pass(&g.iter().collect::<Vec<_>>()))
        .sum();
    assert!(found > 0);
    Pass {
        seconds: started.elapsed().as_secs_f64(),
        text_bytes: docs.iter().map(|d| d.text.len() as u64).sum(),
        documents: docs.len() as u64,
    }
}

/// How many rounds of one-core figures are measured: each figure's
/// median is reported, with the range (this kind of machine varies 10–25%
/// from run to run).
fn repeats() -> usize {
    std::env::var("FACTMINE_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("FACTMINE_BENCH_RUNS: a count, e.g. 3"))
        .unwrap_or(3)
        .max(1)
}

/// One round of the one-core figures, measured back to back, so that the
/// machine's drift over a run moves them together and their ratios hold.
struct Round {
    /// The bare pass a document at a time.
    bare_each: Pass,
    /// The bare pass a group at a time, in the order extraction scans.
    bare: Pass,
    candidates: Pass,
    analysis: Pass,
    extract: Pass,
    peak: u64,
}

/// Which pass of a round a figure is of.
type Figure = fn(&Round) -> &Pass;

/// The median of some figures, and their range for printing.
fn median(mut values: Vec<f64>) -> (f64, String) {
    values.sort_by(f64::total_cmp);
    let range = if values.len() > 1 {
        format!(" ({:.1}–{:.1})", values[0], values[values.len() - 1])
    } else {
        String::new()
    };
    (values[values.len() / 2], range)
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

/// A run of `factmine extract`, as its `--stats` tell it.
struct Run {
    pass: Pass,
    /// Peak memory, bytes.
    peak: u64,
    /// Loading the rules, seconds.
    start_up: f64,
    /// The main (writing) thread's CPU seconds.
    writer_cpu: f64,
}

/// Runs the release binary (pinned to one CPU for one thread, when it can
/// be).
fn extract(dump: &Path, threads: Option<usize>, rules: &Path) -> Run {
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
    Run {
        pass: Pass {
            seconds,
            text_bytes: stats["text_bytes"].as_u64().unwrap(),
            documents: stats["documents"]["read"].as_u64().unwrap(),
        },
        peak: stats["peak_memory_bytes"].as_u64().unwrap_or(0),
        start_up: stats["start_up_seconds"].as_f64().unwrap_or(0.0),
        writer_cpu: stats["writing_thread_cpu_seconds"].as_f64().unwrap_or(0.0),
    }
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
        println!(
            "  read + decompress floor   {:>8.1} MB/s  ({} documents)",
            read.mb_s(),
            read.documents
        );
        // Each round: the bare pass; the same documents through extraction
        // alone (candidates) and the whole analysis, in this process, before
        // any reading or writing; then `factmine extract` end to end.
        let rounds: Vec<Round> = (0..repeats())
            .map(|_| {
                let bare_each = in_process(&docs, |g| {
                    g.iter()
                        .map(|d| pipeline.extractor.bare_pass(&d.text))
                        .sum()
                });
                let bare = in_process(&docs, |g| {
                    let texts: Vec<&str> = g.iter().map(|d| d.text.as_str()).collect();
                    pipeline.extractor.bare_pass_group(&texts)
                });
                let candidates = in_process(&docs, |g| {
                    let searches: Vec<_> = g.iter().map(|d| searchable(&d.text)).collect();
                    let mut accounts = vec![Account::new(Budget::UNLIMITED); g.len()];
                    let mut texts: Vec<GroupText> = searches
                        .iter()
                        .zip(g)
                        .zip(&mut accounts)
                        .map(|((search, d), account)| GroupText {
                            search,
                            reference: pipeline.reference_of(d),
                            account,
                        })
                        .collect();
                    let found = pipeline.extractor.extract_group(&mut texts);
                    found.into_iter().map(|c| c.unwrap().len()).sum()
                });
                let analysis = in_process(&docs, |g| {
                    let budgets = vec![Budget::UNLIMITED; g.len()];
                    let analyses = pipeline.analyse_group(g, &budgets);
                    analyses.into_iter().map(|a| a.unwrap().facts.len()).sum()
                });
                let Run {
                    pass: extract,
                    peak,
                    ..
                } = extract(&dump, Some(1), &rules);
                Round {
                    bare_each,
                    bare,
                    candidates,
                    analysis,
                    extract,
                    peak,
                }
            })
            .collect();
        drop(docs);
        let runs = rounds.len();
        let of = |pass: Figure| median(rounds.iter().map(|r| pass(r).mb_s()).collect());
        let share = |pass: Figure| {
            median(
                rounds
                    .iter()
                    .map(|r| 100.0 * pass(r).mb_s() / r.bare.mb_s())
                    .collect(),
            )
        };
        let (each, each_range) = of(|r| &r.bare_each);
        println!(
            "  bare pass a document at a time, 1 core{each:>8.1} MB/s{each_range}  (median of {runs} rounds)"
        );
        let (bare, bare_range) = of(|r| &r.bare);
        println!(
            "  bare automata pass, 1 core{bare:>8.1} MB/s{bare_range}  (a group of {} at a time, each automaton over the group in turn: the floor)",
            batch::group_size(batch::default_batch(1), 1)
        );
        let stages: [(&str, Figure); 2] = [
            ("candidates", |r| &r.candidates),
            ("analysis", |r| &r.analysis),
        ];
        for (label, pass) in stages {
            let ((speed, range), (pct, pct_range)) = (of(pass), share(pass));
            println!(
                "  {label:<10} (in process), 1 core{speed:>6.1} MB/s{range}  = {pct:.0}%{pct_range} of bare pass"
            );
        }
        let (one, one_range) = of(|r| &r.extract);
        let (pct, pct_range) = share(|r| &r.extract);
        let (docs_s, _) = median(
            rounds
                .iter()
                .map(|r| r.extract.documents as f64 / r.extract.seconds)
                .collect(),
        );
        let (peak, _) = median(rounds.iter().map(|r| r.peak as f64 / 1e6).collect());
        println!(
            "  extract, 1 core           {one:>8.1} MB/s{one_range}  {docs_s:>7.0} docs/s  peak {peak:>5.0} MB  = {pct:.0}%{pct_range} of bare pass (the goal's figure), {:.0}% of read floor",
            100.0 * one / read.mb_s()
        );
        // Speed-up over one core, and the serial share Amdahl's law gives
        // it: s = (n / speed-up - 1) / (n - 1).
        let mut counts = vec![2, cores];
        counts.retain(|&n| n <= cores);
        counts.dedup();
        for n in counts {
            let Run {
                pass,
                peak,
                start_up,
                writer_cpu,
            } = extract(&dump, Some(n), &rules);
            println!(
                "  extract, {:<9}         {:>8.1} MB/s  {:>7.0} docs/s  peak {:>5.0} MB  = {:.0}% of bare pass, {:.0}% of read floor",
                format!("{n} cores"),
                pass.mb_s(),
                pass.documents as f64 / pass.seconds,
                peak as f64 / 1e6,
                100.0 * pass.mb_s() / bare,
                100.0 * pass.mb_s() / read.mb_s()
            );
            let speedup = pass.mb_s() / one;
            let serial = (n as f64 / speedup - 1.0) / (n as f64 - 1.0);
            println!(
                "  speed-up on {n} cores {speedup:>5.2}×  (serial share by Amdahl's law {:.0}%; measured: start-up {start_up:.2} s and the writing thread's {writer_cpu:.2} s of CPU, {:.0}% and {:.0}% of the run)",
                100.0 * serial.max(0.0),
                100.0 * start_up / pass.seconds,
                100.0 * writer_cpu / pass.seconds
            );
        }
        let small = extract(&dump, Some(1), &small_rules()).pass;
        println!(
            "  extract, 1 core, ICS gazetteer only {:>6.1} MB/s (knowledge base cost)",
            small.mb_s()
        );
        println!();
    }
}
