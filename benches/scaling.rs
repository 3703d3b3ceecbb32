//! Scaling benchmark for hostile inputs: `cargo bench --bench scaling`.
//!
//! Writes each hostile shape at 1, 2, 4, … 32 MB (set
//! `FACTMINE_SCALING_MB=1,2,4` for others) and HTML nested 25,000 to
//! 200,000 deep, runs `factmine extract` on each with the default limits,
//! one thread, and prints seconds, peak memory, the bytes the analysis
//! examined and the outcome, with the growth of time per doubling. The
//! README's "Bounded cost" table is this benchmark's output.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A hostile shape: a name, its text at a size in bytes, and options for
/// its runs.
struct Shape {
    name: &'static str,
    make: fn(usize) -> String,
    args: &'static [&'static str],
}

/// Facts no shape reaches: the document is analysed whole.
const WHOLE: &[&str] = &["--max-facts", "100000000"];

fn one_line_article(n: usize) -> String {
    repeated(
        "The Northfield Imaging Consortium (NIC) said 4,120 patients used the new \
         EPR in March 2024, up 41 percent on last year. Westmoor Health NHS Trust \
         spent £2.3 million on remote monitoring. ",
        n,
    )
}

fn repeated(unit: &str, bytes: usize) -> String {
    let mut s = unit.repeat(bytes / unit.len() + 1);
    let mut end = bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s
}

fn figures_and_names(n: usize) -> String {
    repeated(
        "12,345 people and 41 percent in March 2023 at NHS England; ",
        n,
    )
}

const SHAPES: [Shape; 8] = [
    Shape {
        name: "one-line article (sentences, no paragraph break)",
        make: one_line_article,
        args: &[],
    },
    Shape {
        name: "the same, analysed whole (--max-facts raised)",
        make: one_line_article,
        args: WHOLE,
    },
    Shape {
        name: "sentence-less paragraph of figures and names",
        make: figures_and_names,
        args: &[],
    },
    Shape {
        name: "the same, analysed whole (--max-facts raised)",
        make: figures_and_names,
        args: WHOLE,
    },
    Shape {
        name: "one grouped number (1,234,234,…)",
        make: |n| format!("1{} people", repeated(",234", n)),
        args: &[],
    },
    Shape {
        name: "a name defined once, then its acronym repeated",
        make: |n| format!("Widget Lab (WL) {}", repeated("WL ", n)),
        args: &[],
    },
    Shape {
        name: "acronyms in brackets, glued",
        make: |n| repeated("Widget Lab (WL)", n),
        args: &[],
    },
    Shape {
        name: "dated links, glued",
        make: |n| repeated("https://example.org/2023/04/11/", n),
        args: &[],
    },
];

/// One run: seconds, peak memory in MB, bytes examined, and the outcome.
fn extract(input: &Path, args: &[&str]) -> (f64, u64, u64, String) {
    let out = root().join("target/bench-data/scaling-out");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_factmine"))
        .arg("extract")
        .arg(input)
        .arg("--out")
        .arg(&out)
        .args(["--threads", "1", "--stats"])
        .args(args)
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stats: serde_json::Value = serde_json::from_str(&stderr[stderr.find('{').unwrap()..])
        .unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let doc: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(out.join("documents.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let outcome = match doc["status"].as_str().unwrap() {
        "failed" => format!("failed: {}", doc["error"].as_str().unwrap()),
        status => format!("{status}, {} facts", doc["facts"]),
    };
    (
        seconds,
        stats["peak_memory_bytes"].as_u64().unwrap_or(0) >> 20,
        stats["bytes_examined"].as_u64().unwrap_or(0),
        outcome,
    )
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = root().join("target/bench-data/scaling");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Prints one row a size, with time's growth over the row before.
fn rows(label: &str, args: &[&str], inputs: impl Iterator<Item = (String, PathBuf)>) {
    println!("\n{label}");
    println!("| size | seconds | ×time | peak MB | bytes examined | outcome |");
    println!("|---|---|---|---|---|---|");
    let mut before: Option<f64> = None;
    for (size, path) in inputs {
        let (seconds, peak, examined, outcome) = extract(&path, args);
        let growth = before.map_or("".into(), |b| format!("{:.2}", seconds / b));
        println!("| {size} | {seconds:.2} | {growth} | {peak} | {examined} | {outcome} |");
        before = Some(seconds);
        std::fs::remove_file(path).unwrap();
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("FACTMINE_SCALING_MB")
        .unwrap_or_else(|_| "1,2,4,8,16,32".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("FACTMINE_SCALING_MB: sizes in MB, e.g. 1,2,4")
        })
        .collect();
    println!("factmine on hostile inputs: one thread, default limits");
    for shape in &SHAPES {
        rows(
            shape.name,
            shape.args,
            sizes.iter().map(|&mb| {
                let text = format!("Title\n\n{}\n", (shape.make)(mb << 20));
                (format!("{mb} MB"), write("shape.txt", &text))
            }),
        );
    }
    rows(
        "HTML nested <div>, unclosed",
        &[],
        [25_000, 50_000, 100_000, 200_000].into_iter().map(|depth| {
            let html = format!(
                "<html><body><h1>Deep</h1>{}<p>It cost £4.1 million.</p></body></html>",
                "<div>".repeat(depth)
            );
            (format!("{depth} deep"), write("deep.html", &html))
        }),
    );
}
