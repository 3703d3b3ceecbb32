//! Batch runs: streams records through the pipeline in bounded batches,
//! analyses each batch in parallel (rayon) and hands results to a [`Sink`]
//! in input order, whatever the thread count. Like ripgrep's searcher and
//! printer, the flow is one-way: this stage owns the [`Sink`] and
//! [`Render`] traits and the [`Processed`] record; the output folder, the
//! stream and the review importer implement them. A run can take a deterministic shard
//! of the documents, resume after the records an interrupted run finished,
//! and carry over unchanged documents from an earlier run.

use crate::budget::{candidates_for, Budget, Limit, OverBudget};
use crate::document::Document;
use crate::fact::FactType;
use crate::ingest::{InputError, Pending, Record};
use crate::pipeline::{Analysis, Pipeline};
use crate::record::{
    DocumentCounts, DocumentRecord, FactCounts, FactRecord, RunRecord, Status, SummaryRecord,
};
use crate::sections::SectionKind;
use crate::text::Fnv;
use rayon::prelude::*;
use rayon::ThreadPool;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// A record after the pipeline.
#[derive(Debug, Clone)]
pub enum Processed {
    /// Read and analysed.
    Done {
        /// The document.
        doc: Document,
        /// Its sections and facts.
        analysis: Analysis,
    },
    /// Could not be read.
    Failed(InputError),
    /// Unchanged since an earlier run (same input and rules): its output
    /// lines are carried over.
    Unchanged(Carried),
}

/// A record's output as a sink renders it on a worker thread: one byte
/// buffer for each stream the sink writes (say, its `facts.jsonl` lines and
/// its `documents.jsonl` line).
pub type Rendered = Vec<Vec<u8>>;

/// Renders processed records for a sink, on the worker threads, so that
/// the thread writing in input order only copies bytes: a record rendered
/// is counted and dropped there, and only its lines travel on.
pub trait Render: Sync {
    /// An analysed record's output ([`Sink::lines`]); `None` leaves the
    /// record to [`Sink::document`]. Records that were not analysed
    /// (failed, carried over) always go to [`Sink::document`].
    fn render(&self, processed: &Processed) -> Option<Rendered>;
}

/// Where processed records go, in input order.
pub trait Sink {
    /// The renderer the worker threads run for this sink, if it wants its
    /// output prepared there.
    fn renderer(&self) -> Option<Box<dyn Render>> {
        None
    }
    /// Writes one record the renderer left alone (every record, without a
    /// renderer).
    fn document(&mut self, processed: &Processed) -> io::Result<()>;
    /// Writes the lines the renderer made of one record.
    fn lines(&mut self, rendered: Rendered) -> io::Result<()>;
    /// Marks the end of a batch: `consumed` input records are done.
    fn batch_done(&mut self, consumed: usize, summary: &Summary) -> io::Result<()>;
    /// Completes the output once every record is written.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// A document's output lines from an earlier run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// Its `documents.jsonl` line.
    pub document_line: String,
    /// Its `facts.jsonl` lines.
    pub fact_lines: Vec<String>,
    /// The types of those facts, for the summary.
    pub fact_types: Vec<FactType>,
    /// How many of them are relative dates left without a value.
    pub dates_unresolved: usize,
    /// Its section kinds, for the summary.
    pub section_kinds: Vec<SectionKind>,
    /// Whether it had warnings.
    pub warned: bool,
}

/// Counts over a run, for `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Records read (documents and failures).
    pub read: usize,
    /// Documents analysed without warnings.
    pub processed: usize,
    /// Documents analysed with warnings.
    pub warned: usize,
    /// Documents carried over unchanged from an earlier run (`--since`).
    pub unchanged: usize,
    /// Records that failed, with their reasons.
    pub failures: Vec<String>,
    /// Facts per type.
    pub facts: BTreeMap<FactType, usize>,
    /// Sections per kind.
    pub sections: BTreeMap<SectionKind, usize>,
    /// Bytes of document text read.
    pub text_bytes: u64,
    /// Bytes of text the analyses examined ([`crate::work`]).
    #[serde(default)]
    pub examined: u64,
    /// Relative dates left without a value.
    #[serde(default)]
    pub dates_unresolved: usize,
    /// The rules' fingerprint.
    pub rules_fingerprint: String,
    /// Where the rules came from: `built-in`, or the folder given.
    #[serde(default)]
    pub rules_source: String,
    /// How the run was started.
    #[serde(default)]
    pub run: RunRecord,
    /// Wall-clock seconds (added up over resumed runs).
    pub elapsed_seconds: f64,
}

impl Summary {
    fn add(&mut self, p: &Processed) {
        match p {
            Processed::Done { doc, analysis } => self.add_tally(&Tally::of(doc, analysis)),
            Processed::Failed(e) => {
                self.read += 1;
                self.failures.push(e.to_string());
            }
            Processed::Unchanged(c) => {
                self.read += 1;
                self.unchanged += 1;
                if c.warned {
                    self.warned += 1;
                } else {
                    self.processed += 1;
                }
                for t in &c.fact_types {
                    *self.facts.entry(*t).or_default() += 1;
                }
                self.dates_unresolved += c.dates_unresolved;
                for k in &c.section_kinds {
                    *self.sections.entry(*k).or_default() += 1;
                }
            }
        }
    }

    /// Counts an analysed record by its tally.
    fn add_tally(&mut self, tally: &Tally) {
        self.read += 1;
        if tally.warned {
            self.warned += 1;
        } else {
            self.processed += 1;
        }
        self.text_bytes += tally.text_bytes;
        self.examined += tally.examined;
        for (t, &n) in FactType::ALL.iter().zip(&tally.facts) {
            if n > 0 {
                *self.facts.entry(*t).or_default() += n;
            }
        }
        self.dates_unresolved += tally.dates_unresolved;
        for (k, &n) in SectionKind::ALL.iter().zip(&tally.sections) {
            if n > 0 {
                *self.sections.entry(*k).or_default() += n;
            }
        }
    }

    /// The summary as written to `summary.json`.
    pub fn to_record(&self) -> SummaryRecord {
        SummaryRecord {
            dates_unresolved: self.dates_unresolved,
            documents: DocumentCounts {
                failed: self.failures.len(),
                processed: self.processed,
                read: self.read,
                unchanged: self.unchanged,
                warned: self.warned,
            },
            elapsed_seconds: (self.elapsed_seconds * 1000.0).round() / 1000.0,
            facts: FactCounts {
                by_type: FactType::ALL
                    .iter()
                    .map(|t| {
                        (
                            t.as_str().to_string(),
                            self.facts.get(t).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                total: self.facts.values().sum(),
            },
            failures: self.failures.clone(),
            rules_fingerprint: self.rules_fingerprint.clone(),
            rules_source: self.rules_source.clone(),
            run: self.run.clone(),
            sections: SectionKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str().to_string(),
                        self.sections.get(k).copied().unwrap_or(0),
                    )
                })
                .collect(),
            text_bytes: self.text_bytes,
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// What an analysed record adds to the run's counts, taken on the worker
/// that analysed it, so the record can be dropped there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tally {
    warned: bool,
    text_bytes: u64,
    examined: u64,
    /// Facts per type, in the order of [`FactType::ALL`].
    facts: [usize; FactType::ALL.len()],
    dates_unresolved: usize,
    /// Sections per kind, in the order of [`SectionKind::ALL`].
    sections: [usize; SectionKind::ALL.len()],
}

impl Tally {
    fn of(doc: &Document, analysis: &Analysis) -> Tally {
        let mut tally = Tally {
            warned: !doc.warnings.is_empty(),
            text_bytes: doc.text.len() as u64,
            examined: analysis.examined,
            ..Tally::default()
        };
        for f in &analysis.facts {
            tally.facts[f.fact_type as usize] += 1;
            if f.value.is_unresolved_date() {
                tally.dates_unresolved += 1;
            }
        }
        for s in &analysis.layout.sections {
            tally.sections[s.kind as usize] += 1;
        }
        tally
    }
}

/// A deterministic share of the documents: shard `index` of `count`
/// (`--shard K/N` is index K-1). A document belongs to the shard its id's
/// hash picks, so shards do not depend on input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard number.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl std::fmt::Display for Shard {
    /// `K/N`, as given on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

impl Shard {
    /// Parses `K/N` (1 ≤ K ≤ N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }

    /// Whether a record is in this shard: by document id, or by source
    /// and line for a record that failed before its id was read.
    pub fn contains(&self, record: &Record) -> bool {
        let mut h = Fnv::new();
        match record {
            Ok(doc) => h.field(&doc.id),
            Err(e) => match &e.id {
                Some(id) => h.field(id),
                None => h.field(&format!("{}:{}", e.source, e.line.unwrap_or(0))),
            },
        }
        h.finish() % self.count == self.index
    }
}

/// An earlier run's output, for `--since`: documents whose input is
/// unchanged (and rules the same) are carried over, not analysed again.
/// Only where each document's lines are is kept in memory; the lines are
/// read from the earlier files when a document is carried over, so memory
/// does not grow with the earlier run's facts.
#[derive(Debug, Default)]
pub struct PreviousRun {
    by_doc: HashMap<String, Earlier>,
    facts: Option<std::sync::Mutex<std::fs::File>>,
    documents: Option<std::sync::Mutex<std::fs::File>>,
}

/// Where a document's output lies in an earlier run's files, and what the
/// summary counts of it.
#[derive(Debug, Default)]
struct Earlier {
    input_hash: String,
    /// Its `documents.jsonl` line: byte offset and length (newline left out).
    document: (u64, usize),
    /// Its `facts.jsonl` lines, one block: byte offset and length.
    facts: (u64, usize),
    fact_types: Vec<FactType>,
    dates_unresolved: usize,
    section_kinds: Vec<SectionKind>,
    warned: bool,
}

/// Each record of a JSON-lines file with its line's byte offset, its
/// length without and with the line break, read one line at a time.
fn each_line<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(u64, usize, usize, T),
) -> io::Result<()> {
    use std::io::BufRead;
    let mut reader = io::BufReader::new(std::fs::File::open(path)?);
    let (mut line, mut offset, mut number) = (String::new(), 0u64, 0);
    loop {
        line.clear();
        number += 1;
        let read = reader.read_line(&mut line)?;
        if read == 0 {
            return Ok(());
        }
        let content = line.trim_end_matches('\n');
        if !content.trim().is_empty() {
            let record = serde_json::from_str(content)
                .map_err(|e| io::Error::other(format!("{}:{number}: {e}", path.display())))?;
            each(offset, content.len(), read, record);
        }
        offset += read as u64;
    }
}

impl PreviousRun {
    /// Reads an earlier output folder. `None` when its rules differ from
    /// `fingerprint`, or it wrote other fact fields than `fields` (`None`:
    /// all of them): then everything must be analysed again.
    pub fn load(
        dir: &Path,
        fingerprint: &str,
        fields: Option<&str>,
    ) -> io::Result<Option<PreviousRun>> {
        let summary: SummaryRecord =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json"))?)
                .map_err(io::Error::other)?;
        if summary.rules_fingerprint != fingerprint
            || summary.run.options.get("fields").map(String::as_str) != fields
        {
            return Ok(None);
        }
        let mut by_doc: HashMap<String, Earlier> = HashMap::new();
        let documents = dir.join("documents.jsonl");
        each_line(&documents, |offset, len, _, record: DocumentRecord| {
            if let DocumentRecord::Analysed(d) = record {
                by_doc.insert(
                    d.doc,
                    Earlier {
                        input_hash: d.input_hash,
                        document: (offset, len),
                        section_kinds: d.sections.iter().map(|s| s.kind).collect(),
                        warned: d.status == Status::Warned,
                        ..Earlier::default()
                    },
                );
            }
        })?;
        // A document's facts are one block of lines; one whose facts are
        // not (an output edited by hand) is analysed again.
        let facts = dir.join("facts.jsonl");
        let mut scattered = HashSet::new();
        let mut last: Option<String> = None;
        each_line(&facts, |offset, _, raw, fact: FactRecord| {
            let Some(e) = by_doc.get_mut(&fact.doc) else {
                return;
            };
            let next = offset + raw as u64;
            if last.as_deref() != Some(fact.doc.as_str()) {
                if e.facts.1 > 0 {
                    scattered.insert(fact.doc.clone());
                }
                e.facts = (offset, 0);
                last = Some(fact.doc.clone());
            }
            e.facts.1 = (next - e.facts.0) as usize;
            e.fact_types.push(fact.fact_type);
            if fact.value.is_unresolved_date() {
                e.dates_unresolved += 1;
            }
        })?;
        for doc in scattered {
            by_doc.remove(&doc);
        }
        let open = |p: &Path| std::fs::File::open(p).map(std::sync::Mutex::new);
        Ok(Some(PreviousRun {
            by_doc,
            facts: Some(open(&facts)?),
            documents: Some(open(&documents)?),
        }))
    }

    /// The carried-over output of a document, if its input is unchanged
    /// (and the earlier files can still be read).
    pub fn unchanged(&self, doc: &Document) -> Option<Carried> {
        let e = self.by_doc.get(&doc.id)?;
        if e.input_hash != doc.input_hash() {
            return None;
        }
        let read = |file: &Option<std::sync::Mutex<std::fs::File>>, (offset, len): (u64, usize)| {
            use std::io::{Read, Seek};
            let mut file = file.as_ref()?.lock().ok()?;
            file.seek(io::SeekFrom::Start(offset)).ok()?;
            let mut buf = vec![0; len];
            file.read_exact(&mut buf).ok()?;
            String::from_utf8(buf).ok()
        };
        let facts = if e.facts.1 == 0 {
            String::new()
        } else {
            read(&self.facts, e.facts)?
        };
        Some(Carried {
            document_line: read(&self.documents, e.document)?,
            fact_lines: facts.lines().map(str::to_string).collect(),
            fact_types: e.fact_types.clone(),
            dates_unresolved: e.dates_unresolved,
            section_kinds: e.section_kinds.clone(),
            warned: e.warned,
        })
    }
}

/// Limits no real article reaches; a document over the size or time limit
/// is reported and skipped, never the run, and one with more facts than
/// allowed keeps those of its first part, with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document text, in bytes.
    pub max_doc_bytes: usize,
    /// Most facts one document may yield.
    pub max_facts: usize,
    /// Longest one document's analysis may take.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_doc_bytes: 64 << 20,
            max_facts: 100_000,
            max_time: Duration::from_secs(60),
        }
    }
}

/// How a batch run is carried out.
#[derive(Debug, Default)]
pub struct RunOptions {
    /// Records read, analysed and checkpointed together (at least 1); up
    /// to four batches are in memory at once.
    pub batch_size: usize,
    /// Only this shard of the documents.
    pub shard: Option<Shard>,
    /// Records an interrupted run already finished, to skip.
    pub skip: usize,
    /// An earlier run to carry unchanged documents over from.
    pub previous: Option<PreviousRun>,
    /// Per-document limits.
    pub limits: Limits,
}

/// Documents per batch when a run names none: 256 per worker thread, so
/// that each thread's share of a batch makes two groups of 128, or one of
/// 256 on a single thread ([`group_size`]).
pub fn default_batch(threads: usize) -> usize {
    BATCH_PER_THREAD * threads.max(1)
}

/// Documents per batch and worker thread by default.
pub const BATCH_PER_THREAD: usize = 256;

/// How many documents of a batch a worker analyses together, stage by
/// stage ([`Pipeline::analyse_group`]): as many as leave two groups a
/// thread, so the threads still share the batch out evenly (the whole
/// batch on a single thread, which has no one to share with), and within
/// [`GROUP_MIN`] and [`GROUP_MAX`]. The more documents a stage runs over
/// in one go, the longer its automaton's tables stay in the CPU's caches:
/// one core analysed news articles 1.2 times as fast in groups of 32 as
/// one by one, 1.5 times in groups of 128 and 1.7 times in groups of 1,024
/// (`docs/performance.md`, eleventh pass).
pub fn group_size(batch: usize, threads: usize) -> usize {
    let groups = if threads > 1 { 2 * threads } else { 1 };
    batch.div_ceil(groups).clamp(GROUP_MIN, GROUP_MAX)
}

/// The fewest documents in a group (below it, stages switch too often to
/// gain anything).
pub const GROUP_MIN: usize = 8;
/// The most documents in a group (the candidates of a group are held
/// until its last stage).
pub const GROUP_MAX: usize = 512;

/// Analyses a group of records within the limits, each on its own: what is
/// analysed of a record, and how it fails, does not depend on the others.
fn process_group(
    pipeline: &Pipeline,
    records: Vec<Record>,
    options: &RunOptions,
) -> Vec<Processed> {
    let limits = options.limits;
    // Each record's outcome, or its document waiting for analysis.
    let outcomes: Vec<Outcome> = records
        .into_iter()
        .map(|record| {
            let doc = match record {
                Ok(doc) => doc,
                Err(e) => return Outcome::Known(Processed::Failed(e)),
            };
            if doc.text.len() > limits.max_doc_bytes {
                let reason = format!(
                    "document too large: {} bytes of text (the limit is {}; see --max-doc-mb)",
                    doc.text.len(),
                    limits.max_doc_bytes
                );
                return Outcome::Known(failed(&doc, reason));
            }
            match options.previous.as_ref().and_then(|p| p.unchanged(&doc)) {
                Some(carried) => Outcome::Known(Processed::Unchanged(carried)),
                None => Outcome::Analyse(doc),
            }
        })
        .collect();
    let docs: Vec<&Document> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Analyse(doc) => Some(doc),
            Outcome::Known(_) => None,
        })
        .collect();
    let budget = Budget::starting_now(limits.max_time).with_max_facts(limits.max_facts);
    let mut analyses = pipeline
        .analyse_group(&docs, &vec![budget; docs.len()])
        .into_iter();
    outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Known(processed) => processed,
            Outcome::Analyse(doc) => {
                let analysis = analyses.next().expect("an analysis for each document");
                done(doc, analysis, limits)
            }
        })
        .collect()
}

/// A record of a group before analysis.
enum Outcome {
    /// What became of it is known already (unreadable, too large, or
    /// unchanged since an earlier run).
    Known(Processed),
    /// Its document, to analyse.
    Analyse(Document),
}

/// A record that could not be analysed, and why.
fn failed(doc: &Document, reason: String) -> Processed {
    Processed::Failed(InputError {
        source: doc.source.clone(),
        line: None,
        id: Some(doc.id.clone()),
        reason,
    })
}

/// A document's analysis, or why it ran over its limits; a document whose
/// facts stop early says where.
fn done(mut doc: Document, analysis: Result<Analysis, OverBudget>, limits: Limits) -> Processed {
    let analysis = match analysis {
        Ok(a) => a,
        Err(over) => {
            let see = match over.limit {
                Limit::Time(_) => "--max-doc-seconds",
                Limit::Facts(_) => "--max-facts",
            };
            return failed(&doc, format!("{over} (see {see})"));
        }
    };
    if let Some(end) = analysis.facts_end {
        let over = if end.by_candidates {
            format!("{} candidate facts", candidates_for(limits.max_facts))
        } else {
            format!("{} facts", limits.max_facts)
        };
        doc.warnings.push(format!(
            "facts from its first {} of {} characters only: it holds more than {over} (see --max-facts)",
            end.at,
            doc.text.chars().count(),
        ));
    }
    Processed::Done { doc, analysis }
}

/// Document ids seen so far in a run, to mark repeats. This is the one
/// thing a run holds for every document: the id's hash and where it was
/// first seen (a file number and a line), 16 bytes in the table; how often
/// an id has been seen is kept apart, for the few ids seen more than once.
#[derive(Default)]
struct SeenIds {
    ids: HashMap<u64, FirstSeen>,
    /// For each id seen more than once, how often it has been seen.
    repeated: HashMap<u64, usize>,
    /// The files first occurrences were in, each once.
    files: Vec<String>,
    file_numbers: HashMap<String, u32>,
}

/// Where an id was first seen.
struct FirstSeen {
    file: u32,
    /// The line in that file, for JSON lines (0 for a whole file).
    line: u32,
}

impl SeenIds {
    /// Counts a record's id; a repeated id gets a warning and a repeat number.
    fn mark(&mut self, record: &mut Record) {
        let Ok(doc) = record else { return };
        let mut h = Fnv::new();
        h.field(&doc.id);
        let hash = h.finish();
        let seen = match self.ids.entry(hash) {
            Entry::Occupied(seen) => seen.into_mut(),
            Entry::Vacant(place) => {
                // A JSON-lines source reads `file:line`.
                let (file, line) = match doc.source.rsplit_once(':') {
                    Some((file, line)) => match line.parse::<u32>() {
                        Ok(n) if n > 0 && n.to_string() == line => (file, n),
                        _ => (doc.source.as_str(), 0),
                    },
                    None => (doc.source.as_str(), 0),
                };
                let file = match self.file_numbers.get(file) {
                    Some(&n) => n,
                    None => {
                        let n = self.files.len() as u32;
                        self.files.push(file.to_string());
                        self.file_numbers.insert(file.to_string(), n);
                        n
                    }
                };
                place.insert(FirstSeen { file, line });
                return;
            }
        };
        let count = self.repeated.entry(hash).or_insert(1);
        let file = &self.files[seen.file as usize];
        let first = match seen.line {
            0 => file.clone(),
            line => format!("{file}:{line}"),
        };
        doc.repeat = *count;
        doc.warnings.push(format!(
            "duplicate document id {:?} (first at {first}); its facts get ids of their own",
            doc.id
        ));
        *count += 1;
    }
}

/// What a run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A record failed.
    Failed(&'a InputError),
    /// A batch is written; the counts so far.
    Batch(&'a Summary),
}

/// The worker threads a run analyses on: `threads` of them, or one per
/// core. Loading the rules inside it (`pool.install(|| Pipeline::load(..))`)
/// compiles them on the same threads, which then reuse the memory the
/// compiling freed.
pub fn thread_pool(threads: Option<usize>) -> io::Result<ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().map_err(io::Error::other)
}

/// Runs the pipeline over records on the workers of `pool`, writing each
/// in input order to the sink, and checkpointing after every batch; every
/// record is accounted for in the summary. `summary` holds the counts of
/// an interrupted run being resumed (or is empty).
pub fn run(
    pipeline: &Pipeline,
    mut records: impl Iterator<Item = Pending> + Send,
    options: &RunOptions,
    pool: &ThreadPool,
    sink: &mut dyn Sink,
    mut summary: Summary,
    on_event: &mut dyn FnMut(Event),
) -> io::Result<Summary> {
    let started = Instant::now();
    let elapsed_before = summary.elapsed_seconds;
    summary.rules_fingerprint = pipeline.rules.fingerprint.clone();
    let mut seen = SeenIds::default();
    let mut consumed = 0;
    // Records an interrupted run finished: only their ids are counted.
    while consumed < options.skip {
        let Some(pending) = records.next() else {
            break;
        };
        let mut record = pending.decode();
        consumed += 1;
        if options.shard.is_none_or(|s| s.contains(&record)) {
            seen.mark(&mut record);
        }
    }
    // Three stages overlap: a reader thread reads the next batch
    // (decompressing and cutting lines; the workers parse them, and it
    // marks repeated ids) while the workers analyse one, group by group,
    // and this thread writes each group as soon as the groups before it
    // are written, so neither reading nor writing leaves the cores idle,
    // and the last batch's lines are written while its last groups are
    // still being analysed. A batch is the records read in one go (some
    // may belong to other shards); each ends with a checkpoint.
    let batch_size = options.batch_size.max(1);
    let renderer = sink.renderer();
    let renderer = renderer.as_deref();
    std::thread::scope(|scope| -> io::Result<()> {
        // One batch waits ready beside the one being read.
        let (ready, batches) = std::sync::mpsc::sync_channel::<(Vec<Record>, usize)>(1);
        scope.spawn(move || loop {
            let before = consumed;
            let read: Vec<Pending> = records.by_ref().take(batch_size).collect();
            let decoded: Vec<Record> =
                pool.install(|| read.into_par_iter().map(Pending::decode).collect());
            let mut batch: Vec<Record> = Vec::with_capacity(decoded.len());
            for mut record in decoded {
                consumed += 1;
                if options.shard.is_none_or(|s| s.contains(&record)) {
                    seen.mark(&mut record);
                    batch.push(record);
                }
            }
            // The end of the input, or this thread stopped writing.
            if consumed == before || ready.send((batch, consumed)).is_err() {
                return;
            }
        });
        // The analysing thread starts a batch once the one two before it
        // is written, so at most two batches of lines wait for this thread.
        let (written, tickets) = std::sync::mpsc::sync_channel::<()>(BATCHES_AHEAD);
        for _ in 0..BATCHES_AHEAD {
            written.send(()).expect("room for the first tickets");
        }
        let (to_write, analysed) =
            std::sync::mpsc::sync_channel::<Analysed>(2 * pool.current_num_threads());
        scope.spawn(move || {
            for (number, (batch, consumed)) in batches.iter().enumerate() {
                if tickets.recv().is_err() {
                    return;
                }
                let size = group_size(batch.len(), pool.current_num_threads());
                let count = batch.len().div_ceil(size);
                let sent = pool.install(|| {
                    batch
                        .into_par_iter()
                        .chunks(size)
                        .enumerate()
                        .try_for_each_with(to_write.clone(), |to_write, (index, group)| {
                            let done = process_group(pipeline, group, options)
                                .into_iter()
                                .map(|processed| {
                                    Done::rendered(&processed, renderer)
                                        .unwrap_or(Done::Record(processed))
                                })
                                .collect();
                            to_write.send(Analysed::Group {
                                batch: number,
                                index,
                                done,
                            })
                        })
                });
                let end = Analysed::End {
                    batch: number,
                    groups: count,
                    consumed,
                };
                // This thread stopped writing.
                if sent.is_err() || to_write.send(end).is_err() {
                    return;
                }
            }
        });
        let mut waiting = InOrder::default();
        for message in analysed {
            waiting.add(message);
            while let Some(ready) = waiting.next() {
                match ready {
                    Ready::Document(Done::Record(p)) => {
                        if let Processed::Failed(e) = &p {
                            on_event(Event::Failed(e));
                        }
                        summary.add(&p);
                        sink.document(&p)?;
                    }
                    Ready::Document(Done::Lines(lines, tally)) => {
                        summary.add_tally(&tally);
                        sink.lines(lines)?;
                    }
                    Ready::BatchEnd(consumed) => {
                        summary.elapsed_seconds = elapsed_before + started.elapsed().as_secs_f64();
                        sink.batch_done(consumed, &summary)?;
                        on_event(Event::Batch(&summary));
                        // The analysing thread may have stopped already.
                        let _ = written.send(());
                    }
                }
            }
        }
        Ok(())
    })?;
    summary.elapsed_seconds = elapsed_before + started.elapsed().as_secs_f64();
    sink.finish(&summary)?;
    Ok(summary)
}

/// How many batches may be analysed ahead of the one being written.
const BATCHES_AHEAD: usize = 2;

/// A record analysed, as the writing thread gets it.
enum Done {
    /// A record for the sink to write.
    Record(Processed),
    /// The lines the renderer made of an analysed record, and its counts:
    /// the record itself is dropped on the worker that analysed it (its
    /// memory freed by the thread that allocated it, and the writing
    /// thread left to write).
    Lines(Rendered, Tally),
}

impl Done {
    /// An analysed record's lines and counts, when the sink renders it.
    fn rendered(processed: &Processed, renderer: Option<&dyn Render>) -> Option<Done> {
        let Processed::Done { doc, analysis } = processed else {
            return None;
        };
        let lines = renderer?.render(processed)?;
        Some(Done::Lines(lines, Tally::of(doc, analysis)))
    }
}

/// What the analysing thread hands the writing one.
enum Analysed {
    /// A group of a batch, analysed and rendered, by its place in the batch.
    Group {
        batch: usize,
        index: usize,
        done: Vec<Done>,
    },
    /// Every group of a batch has been sent: how many, and how many
    /// records of the input had been read by the batch's end.
    End {
        batch: usize,
        groups: usize,
        consumed: usize,
    },
}

/// The next thing to write, in input order (one at a time, never stored).
#[allow(clippy::large_enum_variant)]
enum Ready {
    /// A record, or its rendered lines.
    Document(Done),
    /// The end of a batch: its checkpoint, with the records read by then.
    BatchEnd(usize),
}

/// Groups analysed out of order, held until the ones before them are
/// written.
#[derive(Default)]
struct InOrder {
    groups: BTreeMap<(usize, usize), Vec<Done>>,
    /// Each batch's number of groups and records read, once all are sent.
    ends: HashMap<usize, (usize, usize)>,
    /// The batch being written and its next group.
    batch: usize,
    group: usize,
    /// The records of the group being written, in order.
    writing: std::vec::IntoIter<Done>,
}

impl InOrder {
    /// Holds what the analysing thread sent until its turn comes.
    fn add(&mut self, message: Analysed) {
        match message {
            Analysed::Group { batch, index, done } => {
                self.groups.insert((batch, index), done);
            }
            Analysed::End {
                batch,
                groups,
                consumed,
            } => {
                self.ends.insert(batch, (groups, consumed));
            }
        }
    }

    /// The next record or batch end in input order, if it has arrived.
    fn next(&mut self) -> Option<Ready> {
        loop {
            if let Some(done) = self.writing.next() {
                return Some(Ready::Document(done));
            }
            if let Some(done) = self.groups.remove(&(self.batch, self.group)) {
                self.writing = done.into_iter();
                self.group += 1;
                continue;
            }
            let &(groups, consumed) = self.ends.get(&self.batch)?;
            if self.group < groups {
                return None;
            }
            self.ends.remove(&self.batch);
            self.batch += 1;
            self.group = 0;
            return Some(Ready::BatchEnd(consumed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_analysed_out_of_order_are_written_in_input_order() {
        let record = |id: &str| -> Done {
            let e = InputError {
                source: "dump.jsonl".into(),
                line: None,
                id: Some(id.into()),
                reason: String::new(),
            };
            Done::Record(Processed::Failed(e))
        };
        let group = |batch, index, ids: &[&str]| Analysed::Group {
            batch,
            index,
            done: ids.iter().map(|id| record(id)).collect(),
        };
        let mut in_order = InOrder::default();
        let mut written = Vec::new();
        let mut take = |in_order: &mut InOrder| {
            while let Some(ready) = in_order.next() {
                written.push(match ready {
                    Ready::Document(Done::Record(Processed::Failed(e))) => e.id.unwrap(),
                    Ready::Document(..) => unreachable!("only failed records here"),
                    Ready::BatchEnd(consumed) => format!("checkpoint {consumed}"),
                });
            }
            std::mem::take(&mut written)
        };
        // Batch 0's second group comes first: nothing can be written yet.
        in_order.add(group(0, 1, &["c"]));
        assert!(take(&mut in_order).is_empty());
        in_order.add(group(0, 0, &["a", "b"]));
        assert_eq!(take(&mut in_order), ["a", "b", "c"]);
        // Its end, then batch 1 (no records in this shard), then batch 2.
        in_order.add(group(2, 0, &["d"]));
        in_order.add(Analysed::End {
            batch: 0,
            groups: 2,
            consumed: 3,
        });
        assert_eq!(take(&mut in_order), ["checkpoint 3"]);
        in_order.add(Analysed::End {
            batch: 1,
            groups: 0,
            consumed: 5,
        });
        in_order.add(Analysed::End {
            batch: 2,
            groups: 1,
            consumed: 6,
        });
        assert_eq!(take(&mut in_order), ["checkpoint 5", "d", "checkpoint 6"]);
        assert!(in_order.groups.is_empty() && in_order.ends.is_empty());
    }

    #[test]
    fn a_record_rendered_and_dropped_on_its_worker_counts_as_the_record_would() {
        let pipeline = Pipeline::load(Path::new("rules")).unwrap();
        let mut doc = Document::from_text(
            "news/a",
            "news/a.txt",
            "Round-up\n\nNHS Kent and Medway\n\nIn March 2024 the trust moved 41 percent \
             of its 9,454 records to the Epic electronic patient record, as it did last \
             month, NHS England said."
                .into(),
        );
        doc.warnings.push("a warning".into());
        let analysis = pipeline.analyse(&doc);
        let done = Processed::Done { doc, analysis };
        let Some(Done::Lines(_, tally)) = Done::rendered(&done, Some(&Counted)) else {
            panic!("an analysed record is rendered");
        };
        let mut summary = Summary::default();
        summary.add_tally(&tally);
        let count = |t| summary.facts.get(&t).copied();
        assert_eq!((summary.read, summary.processed, summary.warned), (1, 0, 1));
        // "Epic electronic patient record" is one technology.
        assert_eq!(
            FactType::ALL.map(count),
            [Some(1), Some(1), Some(2), Some(2)]
        );
        assert_eq!(summary.dates_unresolved, 1);
        assert_eq!(
            summary.sections.into_iter().collect::<Vec<_>>(),
            [(SectionKind::Title, 1), (SectionKind::Ics, 1)]
        );
        assert_eq!(summary.text_bytes, 171);
        // Records that were not analysed are never rendered.
        let failed = Processed::Failed(InputError {
            source: "dump.jsonl".into(),
            line: Some(3),
            id: None,
            reason: "not JSON".into(),
        });
        assert!(Done::rendered(&failed, Some(&Counted)).is_none());
    }

    /// A renderer that makes one empty buffer of every record it is given.
    struct Counted;

    impl Render for Counted {
        fn render(&self, _processed: &Processed) -> Option<Rendered> {
            Some(vec![Vec::new()])
        }
    }

    #[test]
    fn a_default_batch_makes_two_groups_of_128_a_thread_or_one_on_one() {
        for threads in [2, 3, 16] {
            let batch = default_batch(threads);
            assert_eq!(batch, 256 * threads);
            assert_eq!(group_size(batch, threads), 128);
        }
        assert_eq!(group_size(default_batch(1), 1), 256);
        // A batch set smaller or larger: groups within their bounds.
        assert_eq!(group_size(256, 16), 8);
        assert_eq!(group_size(1, 1), 8);
        assert_eq!(group_size(100, 1), 100);
        assert_eq!(group_size(100, 2), 25);
        assert_eq!(group_size(100_000, 1), 512);
        assert_eq!(default_batch(0), 256);
    }

    #[test]
    fn repeated_ids_name_where_they_were_first_seen() {
        let mut seen = SeenIds::default();
        let mut warnings = Vec::new();
        for (id, source) in [
            ("a", "dump.jsonl:1"),
            ("b", "notes/b.txt"),
            ("a", "dump.jsonl:7"),
            ("b", "other.jsonl:2"),
            ("c", "odd:007"),
            ("c", "x"),
            ("a", "y"),
            ("d", "z"),
        ] {
            let mut record: Record = Ok(Document::from_text(id, source, "T\n\nBody.".into()));
            seen.mark(&mut record);
            let doc = record.unwrap();
            warnings.push((doc.repeat, doc.warnings.join("")));
        }
        let note = |id: &str, first: &str| {
            format!(
                "duplicate document id {id:?} (first at {first}); its facts get ids of their own"
            )
        };
        assert_eq!(
            warnings,
            vec![
                (0, String::new()),
                (0, String::new()),
                (1, note("a", "dump.jsonl:1")),
                (1, note("b", "notes/b.txt")),
                (0, String::new()),
                (1, note("c", "odd:007")),
                (2, note("a", "dump.jsonl:1")),
                (0, String::new()),
            ]
        );
        assert_eq!(seen.files, ["dump.jsonl", "notes/b.txt", "odd:007", "z"]);
        // Counts are kept for the ids seen more than once only.
        assert_eq!((seen.ids.len(), seen.repeated.len()), (4, 3));
    }

    #[test]
    fn shards_partition_the_documents() {
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 1, count: 8 }));
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
        assert!(Shard::parse("x").is_err());
        let shards: Vec<Shard> = (1..=3)
            .map(|k| Shard::parse(&format!("{k}/3")).unwrap())
            .collect();
        for i in 0..200 {
            let doc = Document::from_text(&format!("doc-{i}"), "x", "T\n\nBody.".into());
            let record: Record = Ok(doc);
            assert_eq!(shards.iter().filter(|s| s.contains(&record)).count(), 1);
        }
    }
}
