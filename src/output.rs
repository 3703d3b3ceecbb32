//! Output: writes facts, documents and the run summary. In a folder, every
//! file is written under a temporary name and renamed into place at the
//! end, `summary.json` last, so a run that fails or is killed never leaves
//! a complete-looking half output: `summary.json` present means complete.

use crate::batch::{Processed, Summary};
use crate::pipeline::CharCounter;
use serde::Serialize;
use serde_json::{json, Value};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where processed documents go.
pub trait Sink {
    /// Writes one document's facts and record.
    fn document(&mut self, processed: &Processed) -> io::Result<()>;
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
            })
        }
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

/// Writes `facts.jsonl`, `documents.jsonl` and `summary.json` to a folder.
pub struct DirSink {
    dir: PathBuf,
    facts: BufWriter<File>,
    documents: BufWriter<File>,
}

const FILES: [&str; 3] = ["facts.jsonl", "documents.jsonl", "summary.json"];

fn part(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.part"))
}

impl DirSink {
    /// Creates the folder (if needed) and the temporary files.
    pub fn create(dir: &Path) -> io::Result<DirSink> {
        fs::create_dir_all(dir)?;
        Ok(DirSink {
            dir: dir.to_path_buf(),
            facts: BufWriter::new(File::create(part(dir, FILES[0]))?),
            documents: BufWriter::new(File::create(part(dir, FILES[1]))?),
        })
    }
}

impl Sink for DirSink {
    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        if let Processed::Done { analysis, .. } = processed {
            for fact in &analysis.facts {
                serde_json::to_writer(&mut self.facts, fact)?;
                self.facts.write_all(b"\n")?;
            }
        }
        serde_json::to_writer(&mut self.documents, &document_record(processed))?;
        self.documents.write_all(b"\n")
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
        Ok(())
    }
}

/// Writes facts as JSON lines to a stream (stdout), flushing per document.
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
        if let Processed::Done { analysis, .. } = processed {
            for fact in &analysis.facts {
                serde_json::to_writer(&mut self.out, fact)?;
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}
