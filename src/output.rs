//! Output: writes facts, documents and the run summary. In a folder, every
//! file is written under a temporary name and renamed into place at the
//! end, `summary.json` last, so a run that fails or is killed never leaves
//! a complete-looking half output: `summary.json` present means complete.
//! After every batch a checkpoint records how far the temporary files are
//! complete, so an interrupted run can be resumed.

use crate::batch::{Processed, Summary};
use crate::pipeline::CharCounter;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Where processed documents go.
pub trait Sink {
    /// Writes one document's facts and record.
    fn document(&mut self, processed: &Processed) -> io::Result<()>;
    /// Marks the end of a batch: `consumed` input records are done.
    fn batch_done(&mut self, consumed: usize, summary: &Summary) -> io::Result<()>;
    /// Completes the output once every document is written.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// The section list of `documents.jsonl`, offsets in code points.
#[derive(Serialize)]
struct SectionOut<'a> {
    index: usize,
    kind: &'a str,
    title: Option<&'a str>,
    ics: Option<&'a str>,
    start: usize,
    end: usize,
}

/// The `documents.jsonl` record of a processed or failed document.
pub fn document_record(processed: &Processed) -> Value {
    match processed {
        Processed::Done { doc, analysis } => {
            let mut chars = CharCounter::new(&doc.text);
            let sections: Vec<SectionOut> = analysis
                .layout
                .sections
                .iter()
                .enumerate()
                .map(|(index, s)| SectionOut {
                    index,
                    kind: s.kind.as_str(),
                    title: s.title.as_deref(),
                    ics: s.ics.as_deref(),
                    start: chars.at(s.start),
                    end: chars.at(s.end),
                })
                .collect();
            json!({
                "doc": doc.id,
                "status": if doc.warnings.is_empty() { "processed" } else { "warned" },
                "title": doc.title,
                "published": doc.published.map(|d| d.to_string()),
                "reference": analysis.reference.map(|r| json!({"date": r.date.to_string(), "from": r.from.as_str()})),
                "source": doc.source,
                "url": doc.url,
                "chars": doc.text.chars().count(),
                "sections": sections,
                "facts": analysis.facts.len(),
                "warnings": doc.warnings,
                "input_hash": doc.input_hash(),
            })
        }
        Processed::Unchanged(c) => serde_json::from_str(&c.document_line).unwrap_or(Value::Null),
        Processed::Failed(e) => json!({
            "doc": e.id,
            "status": "failed",
            "source": match e.line {
                Some(line) => format!("{}:{line}", e.source),
                None => e.source.clone(),
            },
            "error": e.reason,
        }),
    }
}

/// Writes a document's facts as JSON lines: analysed ones serialised,
/// carried-over ones as they were.
fn write_facts(out: &mut impl Write, processed: &Processed) -> io::Result<()> {
    match processed {
        Processed::Done { analysis, .. } => {
            for fact in &analysis.facts {
                serde_json::to_writer(&mut *out, fact)?;
                out.write_all(b"\n")?;
            }
        }
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
pub struct DirSink {
    dir: PathBuf,
    facts: BufWriter<File>,
    documents: BufWriter<File>,
}

const FILES: [&str; 3] = ["facts.jsonl", "documents.jsonl", "summary.json"];
const CHECKPOINT: &str = ".checkpoint.json";

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

impl DirSink {
    /// Creates the folder (if needed) and fresh temporary files.
    pub fn create(dir: &Path) -> io::Result<DirSink> {
        fs::create_dir_all(dir)?;
        match fs::remove_file(dir.join(CHECKPOINT)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        Ok(DirSink {
            dir: dir.to_path_buf(),
            facts: BufWriter::new(File::create(part(dir, FILES[0]))?),
            documents: BufWriter::new(File::create(part(dir, FILES[1]))?),
        })
    }

    /// Reopens an interrupted run's temporary files at its last checkpoint
    /// (anything written after it is cut off) and returns the checkpoint.
    pub fn resume(dir: &Path) -> io::Result<(DirSink, Checkpoint)> {
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
        let sink = DirSink {
            dir: dir.to_path_buf(),
            facts: reopen(FILES[0], checkpoint.facts_bytes)?,
            documents: reopen(FILES[1], checkpoint.documents_bytes)?,
        };
        Ok((sink, checkpoint))
    }
}

impl Sink for DirSink {
    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        write_facts(&mut self.facts, processed)?;
        if let Processed::Unchanged(c) = processed {
            self.documents.write_all(c.document_line.as_bytes())?;
            return self.documents.write_all(b"\n");
        }
        serde_json::to_writer(&mut self.documents, &document_record(processed))?;
        self.documents.write_all(b"\n")
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
        let tmp = self.dir.join(".checkpoint.json.tmp");
        fs::write(&tmp, serde_json::to_vec(&checkpoint)?)?;
        fs::rename(tmp, self.dir.join(CHECKPOINT))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        for w in [&mut self.facts, &mut self.documents] {
            w.flush()?;
            w.get_ref().sync_all()?;
        }
        let summary_part = part(&self.dir, FILES[2]);
        let mut f = File::create(&summary_part)?;
        serde_json::to_writer_pretty(&mut f, &summary.to_json())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        match fs::remove_file(self.dir.join(FILES[2])) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        for name in FILES {
            fs::rename(part(&self.dir, name), self.dir.join(name))?;
        }
        fs::remove_file(self.dir.join(CHECKPOINT))
    }
}

/// Writes facts as JSON lines to a stream (stdout), flushing per batch.
pub struct StreamSink<W: Write> {
    out: W,
}

impl<W: Write> StreamSink<W> {
    /// Wraps a writer.
    pub fn new(out: W) -> StreamSink<W> {
        StreamSink { out }
    }
}

impl<W: Write> Sink for StreamSink<W> {
    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        write_facts(&mut self.out, processed)
    }

    fn batch_done(&mut self, _consumed: usize, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}
