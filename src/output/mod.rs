//! Output: writes facts, documents and the run summary. In a folder, every
//! file is written under a temporary name and renamed into place at the
//! end, `summary.json` last, so a run that fails or is killed never leaves
//! a complete-looking half output: `summary.json` present means complete.
//! After every batch a checkpoint records how far the temporary files are
//! complete, so an interrupted run can be resumed.

mod json;

use crate::batch::{Processed, Render, Rendered, Sink, Summary};
use crate::record::{
    AnalysedDocument, DocumentRecord, FailedDocument, ReferenceRecord, SectionRecord, Status,
};
use crate::text::CharCounter;
use json::fact_lines;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// The `documents.jsonl` record of a processed or failed document
/// (`None` for one carried over, whose line is written as it was).
pub fn document_record(processed: &Processed) -> Option<DocumentRecord> {
    Some(match processed {
        Processed::Done { doc, analysis } => {
            let mut chars = CharCounter::new(&doc.text);
            let sections = analysis
                .layout
                .sections
                .iter()
                .enumerate()
                .map(|(index, s)| {
                    // Start before end: the counter walks forward.
                    let start = chars.at(s.start);
                    SectionRecord {
                        end: chars.at(s.end),
                        ics: s.ics.clone(),
                        index,
                        kind: s.kind,
                        start,
                        title: s.title.clone(),
                    }
                })
                .collect();
            DocumentRecord::Analysed(Box::new(AnalysedDocument {
                chars: chars.at(doc.text.len()),
                doc: doc.id.clone(),
                facts: analysis.facts.len(),
                input_hash: doc.input_hash(),
                published: doc.published.map(|d| d.to_string()),
                reference: analysis.reference.map(|r| ReferenceRecord {
                    date: r.date.to_string(),
                    from: r.from.as_str().to_string(),
                    precision: if r.day_precision { "day" } else { "month" }.to_string(),
                }),
                sections,
                source: doc.source.clone(),
                status: if doc.warnings.is_empty() {
                    Status::Processed
                } else {
                    Status::Warned
                },
                title: doc.title.clone(),
                url: doc.url.clone(),
                warnings: doc.warnings.clone(),
            }))
        }
        Processed::Unchanged(_) => return None,
        Processed::Failed(e) => DocumentRecord::Failed(FailedDocument {
            doc: e.id.clone(),
            error: e.reason.clone(),
            source: match e.line {
                Some(line) => format!("{}:{line}", e.source),
                None => e.source.clone(),
            },
            status: Status::Failed,
        }),
    })
}

/// Writes a processed or failed record's `documents.jsonl` line.
fn write_document_line(out: &mut impl Write, processed: &Processed) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &document_record(processed))?;
    out.write_all(b"\n")
}

/// Renders an analysed document's JSON lines on the worker threads: its
/// facts, and its `documents.jsonl` record when `document` is set (the
/// other outcomes' lines are carried over or short, and written as they
/// come, by [`Sink::document`]).
#[derive(Debug, Clone, Copy)]
pub struct Lines {
    /// Whether the document's record is rendered too.
    pub document: bool,
    /// The fact fields written.
    pub fields: FactFields,
}

impl Render for Lines {
    fn render(&self, processed: &Processed) -> Option<Rendered> {
        let Processed::Done { analysis, .. } = processed else {
            return None;
        };
        let mut out = vec![fact_lines(&analysis.facts, self.fields)];
        if self.document {
            let mut line = Vec::new();
            write_document_line(&mut line, processed).expect("a record serialises");
            out.push(line);
        }
        Some(out)
    }
}

/// The fields of a `facts.jsonl` line (`--fields`): all of them, in the
/// schema's order, unless a run names fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactFields(u16);

impl FactFields {
    /// Every field's name, in the order they are written.
    pub const NAMES: [&'static str; 12] = [
        "id",
        "doc",
        "section",
        "section_kind",
        "ics",
        "type",
        "text",
        "start",
        "end",
        "value",
        "sentence",
        "rule",
    ];
    /// Each field's key as written after the field before it, in the
    /// order of [`FactFields::NAMES`].
    const KEYS: [&'static str; 12] = [
        ",\"id\":",
        ",\"doc\":",
        ",\"section\":",
        ",\"section_kind\":",
        ",\"ics\":",
        ",\"type\":",
        ",\"text\":",
        ",\"start\":",
        ",\"end\":",
        ",\"value\":",
        ",\"sentence\":",
        ",\"rule\":",
    ];
    /// Every field.
    pub const ALL: FactFields = FactFields((1 << 12) - 1);

    /// Parses a comma-separated list of field names.
    pub fn parse(list: &str) -> Result<FactFields, String> {
        let mut bits = 0u16;
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let i = Self::NAMES.iter().position(|n| *n == name).ok_or_else(|| {
                format!(
                    "no fact field {name:?} (fields: {})",
                    Self::NAMES.join(", ")
                )
            })?;
            bits |= 1 << i;
        }
        if bits == 0 {
            return Err(format!(
                "name at least one field ({})",
                Self::NAMES.join(", ")
            ));
        }
        Ok(FactFields(bits))
    }

    /// Whether field `i` (an index into [`FactFields::NAMES`]) is written.
    fn has(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
}

impl Default for FactFields {
    fn default() -> FactFields {
        FactFields::ALL
    }
}

impl std::fmt::Display for FactFields {
    /// The names, comma-separated.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = (0..Self::NAMES.len())
            .filter(|&i| self.has(i))
            .map(|i| Self::NAMES[i])
            .collect();
        f.write_str(&names.join(","))
    }
}

/// Writes the facts of a record not rendered on a worker thread as JSON
/// lines: analysed ones rendered here, carried-over ones as they were.
fn write_facts(out: &mut impl Write, processed: &Processed, fields: FactFields) -> io::Result<()> {
    match processed {
        Processed::Done { analysis, .. } => out.write_all(&fact_lines(&analysis.facts, fields))?,
        Processed::Unchanged(c) => {
            for line in &c.fact_lines {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Processed::Failed(_) => {}
    }
    Ok(())
}

/// Writes `facts.jsonl`, `documents.jsonl` and `summary.json` to a folder.
#[derive(Debug)]
pub struct DirSink {
    dir: PathBuf,
    fields: FactFields,
    /// Held for the run's lifetime: a second run into the folder is refused.
    _lock: File,
    facts: BufWriter<File>,
    documents: BufWriter<File>,
    flusher: Flusher,
}

/// Hands the files' data to the disk while the run goes on: after each
/// batch, a thread of its own has the kernel write out what the files hold
/// so far (`fdatasync`), so the sync at the end, before `summary.json`
/// marks the output complete, waits for the last batch's data only (it
/// waited for all of it: a quarter of a second of a 4.5 s run here, and a
/// run on many cores writes its lines faster still).
#[derive(Debug)]
struct Flusher {
    requests: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Flusher {
    /// A flusher for these files (its own handles on them).
    fn new(files: [&File; 2]) -> io::Result<Flusher> {
        let files = [files[0].try_clone()?, files[1].try_clone()?];
        // One request waits while a sync runs: it covers any after it.
        let (requests, pending) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("factmine-flush".into())
            .spawn(move || {
                for () in pending {
                    for file in &files {
                        file.sync_data()?;
                    }
                }
                Ok(())
            })?;
        Ok(Flusher {
            requests: Some(requests),
            thread: Some(thread),
        })
    }

    /// Asks for what the files hold now to be written out, unless a
    /// request is already waiting.
    fn request(&self) {
        if let Some(requests) = &self.requests {
            // Full: a waiting request covers this one; gone: the thread
            // stopped on an error, which `finish` reports.
            let _ = requests.try_send(());
        }
    }

    /// Waits for the syncs asked for, and reports the first that failed.
    fn finish(&mut self) -> io::Result<()> {
        self.requests = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the thread syncing the output panicked")),
            None => Ok(()),
        }
    }
}

const FILES: [&str; 3] = ["facts.jsonl", "documents.jsonl", "summary.json"];
const CHECKPOINT: &str = ".checkpoint.json";
const LOCK: &str = ".lock";

fn part(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.part"))
}

/// How far an interrupted run got: input records done, bytes of the
/// temporary files that hold them, and the counts so far.
#[derive(Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Input records finished (all written).
    pub consumed: usize,
    facts_bytes: u64,
    documents_bytes: u64,
    /// The counts so far.
    pub summary: Summary,
}

/// Whether a folder holds an interrupted run that can be resumed.
pub fn can_resume(dir: &Path) -> bool {
    dir.join(CHECKPOINT).is_file()
}

/// Takes the output folder's lock (creating the folder), or says which
/// run holds it.
fn lock(dir: &Path) -> io::Result<File> {
    fs::create_dir_all(dir)?;
    let file = File::create(dir.join(LOCK))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            format!(
                "{}: another factmine run is writing here; wait for it to end, or choose another --out",
                dir.display()
            ),
        )),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

impl DirSink {
    /// Creates the folder (if needed) and fresh temporary files, for facts
    /// with these fields.
    pub fn create(dir: &Path, fields: FactFields) -> io::Result<DirSink> {
        let lock = lock(dir)?;
        // An earlier complete output goes first, `summary.json` before the
        // rest, so that a run killed from here on never leaves a folder
        // that looks complete.
        for name in [FILES[2], FILES[0], FILES[1], CHECKPOINT] {
            match fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        let facts = File::create(part(dir, FILES[0]))?;
        let documents = File::create(part(dir, FILES[1]))?;
        Ok(DirSink {
            dir: dir.to_path_buf(),
            fields,
            _lock: lock,
            flusher: Flusher::new([&facts, &documents])?,
            facts: BufWriter::new(facts),
            documents: BufWriter::new(documents),
        })
    }

    /// Reopens an interrupted run's temporary files at its last checkpoint
    /// (anything written after it is cut off) and returns the checkpoint;
    /// facts go on with these fields.
    pub fn resume(dir: &Path, fields: FactFields) -> io::Result<(DirSink, Checkpoint)> {
        let lock = lock(dir)?;
        let text = fs::read_to_string(dir.join(CHECKPOINT)).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{}: no interrupted run to resume here ({e})", dir.display()),
            )
        })?;
        let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(io::Error::other)?;
        let reopen = |name: &str, len: u64| -> io::Result<BufWriter<File>> {
            let file = fs::OpenOptions::new().write(true).open(part(dir, name))?;
            file.set_len(len)?;
            let mut w = BufWriter::new(file);
            w.seek(SeekFrom::End(0))?;
            Ok(w)
        };
        let facts = reopen(FILES[0], checkpoint.facts_bytes)?;
        let documents = reopen(FILES[1], checkpoint.documents_bytes)?;
        let sink = DirSink {
            dir: dir.to_path_buf(),
            fields,
            _lock: lock,
            flusher: Flusher::new([facts.get_ref(), documents.get_ref()])?,
            facts,
            documents,
        };
        Ok((sink, checkpoint))
    }
}

impl Sink for DirSink {
    fn renderer(&self) -> Option<Box<dyn Render>> {
        Some(Box::new(Lines {
            document: true,
            fields: self.fields,
        }))
    }

    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        write_facts(&mut self.facts, processed, self.fields)?;
        match processed {
            Processed::Unchanged(c) => {
                self.documents.write_all(c.document_line.as_bytes())?;
                self.documents.write_all(b"\n")
            }
            _ => write_document_line(&mut self.documents, processed),
        }
    }

    fn lines(&mut self, rendered: Rendered) -> io::Result<()> {
        let [facts, document] = &rendered[..] else {
            unreachable!("a folder's renderer makes fact lines and a document line");
        };
        self.facts.write_all(facts)?;
        self.documents.write_all(document)
    }

    fn batch_done(&mut self, consumed: usize, summary: &Summary) -> io::Result<()> {
        self.facts.flush()?;
        self.documents.flush()?;
        let checkpoint = Checkpoint {
            consumed,
            facts_bytes: self.facts.get_ref().metadata()?.len(),
            documents_bytes: self.documents.get_ref().metadata()?.len(),
            summary: summary.clone(),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(&serde_json::to_vec(&checkpoint)?)?;
        tmp.persist(self.dir.join(CHECKPOINT))?;
        self.flusher.request();
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.flusher.finish()?;
        for w in [&mut self.facts, &mut self.documents] {
            w.flush()?;
            w.get_ref().sync_all()?;
        }
        let summary_part = part(&self.dir, FILES[2]);
        let mut f = File::create(&summary_part)?;
        serde_json::to_writer_pretty(&mut f, &summary.to_record())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        match fs::remove_file(self.dir.join(FILES[2])) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        for name in FILES {
            fs::rename(part(&self.dir, name), self.dir.join(name))?;
        }
        fs::remove_file(self.dir.join(CHECKPOINT))?;
        // Last: the lock file goes (the lock itself is released on drop).
        fs::remove_file(self.dir.join(LOCK))
    }
}

/// Writes facts as JSON lines to a stream (stdout), flushing per batch.
#[derive(Debug)]
pub struct StreamSink<W: Write> {
    out: W,
    fields: FactFields,
}

impl<W: Write> StreamSink<W> {
    /// Wraps a writer, for facts with these fields.
    pub fn new(out: W, fields: FactFields) -> StreamSink<W> {
        StreamSink { out, fields }
    }
}

impl<W: Write> Sink for StreamSink<W> {
    fn renderer(&self) -> Option<Box<dyn Render>> {
        Some(Box::new(Lines {
            document: false,
            fields: self.fields,
        }))
    }

    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        write_facts(&mut self.out, processed, self.fields)
    }

    fn lines(&mut self, rendered: Rendered) -> io::Result<()> {
        // Fact lines only.
        rendered
            .iter()
            .try_for_each(|lines| self.out.write_all(lines))
    }

    fn batch_done(&mut self, _consumed: usize, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flusher_syncs_while_the_run_goes_on_and_ends_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| File::create(dir.path().join(name)).unwrap();
        let (mut facts, documents) = (file("facts"), file("documents"));
        let mut flusher = Flusher::new([&facts, &documents]).unwrap();
        for batch in 0..5 {
            writeln!(facts, "batch {batch}").unwrap();
            flusher.request();
        }
        flusher.finish().unwrap();
        // Once finished it takes no more requests, and finishes again at once.
        flusher.request();
        flusher.finish().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("facts"))
                .unwrap()
                .lines()
                .count(),
            5
        );
    }

    #[test]
    fn document_records_keep_their_keys_in_order_and_read_back() {
        let doc = crate::Document::from_text(
            "news/a",
            "news/a.txt",
            "A title\n\nNHS England said 40 practices joined.\n".into(),
        );
        let analysis = crate::Pipeline::load(std::path::Path::new("rules"))
            .unwrap()
            .analyse(&doc);
        let processed = Processed::Done { doc, analysis };
        let line = serde_json::to_string(&document_record(&processed)).unwrap();
        let keys: Vec<String> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&line)
                .unwrap()
                .keys()
                .cloned()
                .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(
            line.starts_with("{\"chars\":47,\"doc\":\"news/a\",\"facts\":2,"),
            "{line}"
        );
        let back: DocumentRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(Some(back), document_record(&processed));
        let failed = Processed::Failed(crate::ingest::InputError {
            source: "dump.jsonl".into(),
            line: Some(7),
            id: None,
            reason: "not JSON".into(),
        });
        let line = serde_json::to_string(&document_record(&failed)).unwrap();
        assert_eq!(
            line,
            r#"{"doc":null,"error":"not JSON","source":"dump.jsonl:7","status":"failed"}"#
        );
        let back: DocumentRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(Some(back), document_record(&failed));
    }
}
