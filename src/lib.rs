//! factmine turns health-tech news about NHS digital and data work into
//! structured facts: organisations, technologies, dates and metrics, each
//! placed in the section of the article (one per Integrated Care System)
//! it appears in, with a normalised value.
//!
//! The pipeline, one module a stage:
//!
//! 1. [`ingest`]: text, HTML and JSON-lines files (optionally gzip) into [`Document`]s;
//! 2. [`sections`]: each document cut into `title`, `intro`, `contents`,
//!    `ics`, `sponsored` and `other` sections;
//! 3. [`extract`]: gazetteers (one aho-corasick automaton) and pattern
//!    rules (one multi-pattern finder per rule file, each rule reading its
//!    own slots) find candidates, normalisers give their values, overlaps
//!    are resolved, and names propagate through the document;
//! 4. [`pipeline`]: facts placed in their section and sentence
//!    ([`sentences`]), with ids, within a time [`budget`]; a group of
//!    documents goes through extraction stage by stage, each stage over the
//!    whole group, so each automaton's tables stay in the CPU's caches;
//! 5. [`batch`] and [`output`]: many documents in parallel (groups of a
//!    batch on the worker threads), in input order;
//!    the batch stage owns the `Sink` a run writes to, and [`output`]
//!    writes the files of the schema in [`record`], atomically.
//!
//! Data flows one way, down this list; [`text`] (code points, hashing, I/O
//! reasons, English plurals), [`work`] (the bytes an analysis examines), [`calendar`], [`document`] and [`fact`] (with
//! the typed value of each fact type) sit
//! at the bottom. Rules are data, loaded by [`rules`] from a folder an editor maintains;
//! [`checks`] runs their examples and checks them. On top of the pipeline,
//! [`eval`] scores extraction against hand-labelled gold, [`review`] lets
//! editors accept, reject and correct facts in a web page and turns their
//! decisions into gold, and [`report`] digests a run per Integrated Care
//! System as JSON and a static site. The `factmine` binary is a thin layer over this
//! library (arguments, one module a command, progress on the terminal), on
//! the allocator in [`alloc`].
//!
//! ```no_run
//! use factmine::{Document, Pipeline};
//! let pipeline = Pipeline::load(std::path::Path::new("rules")).unwrap();
//! let doc = Document::from_text("note", "note.txt", "Title\n\nThe trust saw 41 percent fewer visits.".into());
//! for fact in pipeline.analyse(&doc).facts {
//!     println!("{} {} {}", fact.fact_type.as_str(), fact.text, fact.value);
//! }
//! ```

#![deny(missing_docs, missing_debug_implementations)]

pub mod alloc;
pub mod batch;
pub mod budget;
pub mod calendar;
pub mod checks;
pub mod document;
pub mod eval;
pub mod extract;
pub mod fact;
pub mod ingest;
pub mod output;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod review;
pub mod rules;
pub mod sections;
pub mod sentences;
pub mod text;
pub mod work;

pub use document::Document;
pub use fact::{Fact, FactType, FactValue};
pub use pipeline::{Analysis, FactsEnd, Pipeline};
