//! Batch runs: streams records through the pipeline in bounded batches,
//! analyses each batch in parallel (rayon) and writes results in input
//! order, whatever the thread count.

use crate::document::Document;
use crate::fact::FactType;
use crate::ingest::{InputError, Record};
use crate::output::Sink;
use crate::pipeline::{Analysis, Pipeline};
use crate::sections::SectionKind;
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io;
use std::time::Instant;

/// A record after the pipeline: analysed, or failed with its reason.
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
}

/// Counts over a run, for `summary.json`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Records read (documents and failures).
    pub read: usize,
    /// Documents analysed without warnings.
    pub processed: usize,
    /// Documents analysed with warnings.
    pub warned: usize,
    /// Records that failed, with their reasons.
    pub failures: Vec<String>,
    /// Facts per type.
    pub facts: BTreeMap<FactType, usize>,
    /// Sections per kind.
    pub sections: BTreeMap<SectionKind, usize>,
    /// The rules' fingerprint.
    pub rules_fingerprint: String,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
}

impl Summary {
    fn add(&mut self, p: &Processed) {
        self.read += 1;
        match p {
            Processed::Done { doc, analysis } => {
                if doc.warnings.is_empty() {
                    self.processed += 1;
                } else {
                    self.warned += 1;
                }
                for f in &analysis.facts {
                    *self.facts.entry(f.fact_type).or_default() += 1;
                }
                for s in &analysis.layout.sections {
                    *self.sections.entry(s.kind).or_default() += 1;
                }
            }
            Processed::Failed(e) => self.failures.push(e.to_string()),
        }
    }

    /// The summary as written to `summary.json`.
    pub fn to_json(&self) -> Value {
        let facts: Map<String, Value> = FactType::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str().to_string(),
                    json!(self.facts.get(t).copied().unwrap_or(0)),
                )
            })
            .collect();
        let sections: Map<String, Value> = SectionKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_string(),
                    json!(self.sections.get(k).copied().unwrap_or(0)),
                )
            })
            .collect();
        json!({
            "documents": {
                "read": self.read,
                "processed": self.processed,
                "warned": self.warned,
                "failed": self.failures.len(),
            },
            "facts": {"total": self.facts.values().sum::<usize>(), "by_type": facts},
            "sections": sections,
            "failures": self.failures,
            "rules_fingerprint": self.rules_fingerprint,
            "elapsed_seconds": (self.elapsed_seconds * 1000.0).round() / 1000.0,
        })
    }
}

/// How a batch run is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Records held in memory at once.
    pub batch_size: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: None,
            batch_size: 256,
        }
    }
}

/// Runs the pipeline over records, writing each in input order to the
/// sink; every record is accounted for in the summary.
pub fn run(
    pipeline: &Pipeline,
    records: impl Iterator<Item = Record>,
    options: RunOptions,
    sink: &mut dyn Sink,
    mut on_failure: impl FnMut(&InputError),
) -> io::Result<Summary> {
    let started = Instant::now();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build().map_err(io::Error::other)?;
    let mut summary = Summary {
        rules_fingerprint: pipeline.rules.fingerprint.clone(),
        ..Summary::default()
    };
    let mut records = records.peekable();
    let mut batch: Vec<Record> = Vec::with_capacity(options.batch_size);
    while records.peek().is_some() {
        batch.clear();
        batch.extend(records.by_ref().take(options.batch_size.max(1)));
        let results: Vec<Processed> = pool.install(|| {
            batch
                .par_drain(..)
                .map(|record| match record {
                    Ok(doc) => {
                        let analysis = pipeline.analyse(&doc);
                        Processed::Done { doc, analysis }
                    }
                    Err(e) => Processed::Failed(e),
                })
                .collect()
        });
        for p in &results {
            if let Processed::Failed(e) = p {
                on_failure(e);
            }
            summary.add(p);
            sink.document(p)?;
        }
    }
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    sink.finish(&summary)?;
    Ok(summary)
}
