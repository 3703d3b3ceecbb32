//! Ingest: finds the inputs and reads them into [`Document`]s, one record at a
//! time, so that a dump of any size streams through in bounded memory.
//!
//! Formats are chosen by extension: `.txt`/`.md` (plain text, optional front
//! matter), `.html`/`.htm`, `.jsonl`/`.ndjson` (one article a line), each
//! optionally gzip-compressed (`.gz`). `-` reads JSON lines from stdin.

mod html;
mod jsonl;
mod text;

pub use html::{extract_html, HtmlArticle};
pub use jsonl::RawLine;

use crate::document::Document;
use crate::text::io_reason;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A record that could not be read: which file (and line), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file (or `-` for stdin) the record came from.
    pub source: String,
    /// The 1-based line of a JSON-lines record.
    pub line: Option<usize>,
    /// The record's id, when it could be read.
    pub id: Option<String>,
    /// What is wrong, in words.
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id {id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for InputError {}

impl InputError {
    /// An error of a whole file (or stream): no line, no id.
    fn of_file(source: String, reason: String) -> InputError {
        InputError {
            source,
            line: None,
            id: None,
            reason,
        }
    }

    /// An error of one line of a JSON-lines file, with the record's id
    /// when it was read.
    fn at_line(source: &str, line: usize, id: Option<String>, reason: String) -> InputError {
        InputError {
            source: source.to_string(),
            line: Some(line),
            id,
            reason,
        }
    }
}

/// One record read from the inputs: a document, or the reason it was lost.
pub type Record = Result<Document, InputError>;

/// A record read but not yet decoded: the bytes of a JSON line or of a
/// one-document file, made a [`Record`] by [`Pending::decode`] wherever
/// that work is done (a batch run decodes on its workers, so that only
/// reading and decompressing stay on the thread that reads).
#[derive(Debug)]
pub enum Pending {
    /// A record already made (one that failed as it was read, or one made
    /// elsewhere).
    Ready(Record),
    /// One line of a JSON-lines file.
    Line(RawLine),
    /// The bytes of a text or HTML file holding one document.
    File {
        /// Its bytes.
        bytes: Vec<u8>,
        /// Its format (text or HTML).
        format: Format,
        /// The document id it gets.
        id: String,
        /// The file, as named in errors and `source`.
        name: String,
    },
}

impl Pending {
    /// Parses and checks the record: JSON, text decoding, HTML extraction.
    pub fn decode(self) -> Record {
        match self {
            Pending::Ready(record) => record,
            Pending::Line(line) => line.decode(),
            Pending::File {
                bytes,
                format,
                id,
                name,
            } => read_document(&bytes, format, &id, &name)
                .map_err(|reason| InputError::of_file(name, reason)),
        }
    }
}

impl From<Record> for Pending {
    fn from(record: Record) -> Pending {
        Pending::Ready(record)
    }
}

/// The file formats factmine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text or Markdown: one document a file.
    Text,
    /// An HTML page: one document a file.
    Html,
    /// JSON lines: one document a line.
    JsonLines,
}

/// One input to read: a file with its document id, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, its format, whether it is gzip-compressed, and its document id.
    File {
        /// Path as given or found.
        path: PathBuf,
        /// Format by extension.
        format: Format,
        /// Compressed with gzip (`.gz`).
        gzip: bool,
        /// Document id for single-document formats.
        id: String,
    },
    /// JSON lines on standard input (`-`).
    Stdin,
    /// A path that cannot be read as input, with the reason.
    Unreadable {
        /// Path as given.
        path: PathBuf,
        /// Why it cannot be read.
        reason: String,
    },
}

/// The format and compression a file name says, or `None` for other files.
pub fn format_of(path: &Path) -> Option<(Format, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(rest) => (rest.to_string(), true),
        None => (name, false),
    };
    let format = match name.rsplit_once('.')?.1 {
        "txt" | "md" => Format::Text,
        "html" | "htm" => Format::Html,
        "jsonl" | "ndjson" => Format::JsonLines,
        _ => return None,
    };
    Some((format, gzip))
}

/// The document id of a file: its path relative to `base` without the
/// extension (and without `.gz`), with `/` separators.
fn document_id(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.last_mut() {
        let mut name = last.as_str();
        if let Some(stem) = name.strip_suffix(".gz") {
            name = stem;
        }
        if let Some((stem, _)) = name.rsplit_once('.') {
            name = stem;
        }
        *last = name.to_string();
    }
    parts.join("/")
}

/// What the command-line inputs expand to: the sources to read, in order,
/// and the files passed over in folders, each with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Files (and standard input) to read, in order.
    pub sources: Vec<Source>,
    /// Entries of the folders walked that are not read: `(path, reason)`.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Expands the command-line inputs into sources: folders are walked
/// recursively in sorted order, files keep their place, `-` is standard
/// input. In folders, hidden entries are passed over silently; files of
/// other formats, entries that are not regular files (FIFOs, sockets,
/// devices), a second way to a file or folder already read (symbolic
/// links: each is read once, and link loops end), the folders in
/// `exclude` (the run's own output) and folders holding a factmine run's
/// output are passed over and listed in [`Inputs::skipped`].
pub fn discover(inputs: &[PathBuf], exclude: &[PathBuf]) -> Inputs {
    let mut walk = Walk {
        exclude: exclude
            .iter()
            .filter_map(|p| identity(&std::fs::metadata(p).ok()?, p))
            .collect(),
        seen: HashSet::new(),
        roots: inputs
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| p.canonicalize().ok())
            .collect(),
        out: Inputs::default(),
    };
    for input in inputs {
        if input.as_os_str() == "-" {
            walk.out.sources.push(Source::Stdin);
            continue;
        }
        match std::fs::metadata(input) {
            Err(e) => walk.out.sources.push(Source::Unreadable {
                path: input.clone(),
                reason: format!("cannot read: {}", io_reason(&e)),
            }),
            Ok(meta) if meta.is_dir() => walk.folder(input, input, &meta),
            Ok(meta) if !meta.is_file() => walk.out.sources.push(Source::Unreadable {
                path: input.clone(),
                reason: not_regular(&meta).into(),
            }),
            Ok(meta) => {
                walk.seen.extend(identity(&meta, input));
                let base = input.parent().unwrap_or(Path::new(""));
                walk.out.sources.push(file_source(input, base));
            }
        }
    }
    walk.out
}

/// A hash of the sources: each file's path, size and modification time
/// (standard input counts as itself), in order.
pub fn fingerprint(sources: &[Source]) -> String {
    let mut h = crate::text::Fnv::new();
    for s in sources {
        match s {
            Source::File { path, .. } => {
                h.field(&path.to_string_lossy());
                let meta = std::fs::metadata(path).ok();
                let modified = meta
                    .as_ref()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                h.field(&format!("{}:{modified}", meta.map_or(0, |m| m.len())));
            }
            Source::Stdin => h.field("-"),
            Source::Unreadable { path, .. } => h.field(&path.to_string_lossy()),
        }
    }
    format!("{:016x}", h.finish())
}

/// What a file or folder is, whatever the path to it: device and inode
/// (the canonical path where there are none).
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata, _path: &Path) -> Option<(u64, u64, PathBuf)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino(), PathBuf::new()))
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata, path: &Path) -> Option<(u64, u64, PathBuf)> {
    Some((0, 0, path.canonicalize().ok()?))
}

/// Why an entry that is neither a file nor a folder is not read.
fn not_regular(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "not a regular file (a FIFO)";
        }
        if t.is_socket() {
            return "not a regular file (a socket)";
        }
        if t.is_block_device() || t.is_char_device() {
            return "not a regular file (a device)";
        }
    }
    let _ = meta;
    "not a regular file"
}

fn file_source(path: &Path, base: &Path) -> Source {
    match format_of(path) {
        Some((format, gzip)) => Source::File {
            path: path.to_path_buf(),
            format,
            gzip,
            id: document_id(path, base),
        },
        None => Source::Unreadable {
            path: path.to_path_buf(),
            reason: "unsupported file type (expected .txt, .md, .html, .htm, .jsonl or .ndjson, optionally .gz)".into(),
        },
    }
}

/// A folder walk in progress.
struct Walk {
    exclude: Vec<(u64, u64, PathBuf)>,
    seen: HashSet<(u64, u64, PathBuf)>,
    /// The folders given, canonical: a link into them is not followed
    /// (what it leads to is read where it is).
    roots: Vec<PathBuf>,
    out: Inputs,
}

impl Walk {
    fn skip(&mut self, path: &Path, reason: &str) {
        self.out
            .skipped
            .push((path.to_path_buf(), reason.to_string()));
    }

    fn folder(&mut self, dir: &Path, base: &Path, meta: &std::fs::Metadata) {
        let id = identity(meta, dir);
        if id.as_ref().is_some_and(|id| self.exclude.contains(id)) {
            return self.skip(dir, "the run's own output folder");
        }
        if id.is_some_and(|id| !self.seen.insert(id)) {
            return self.skip(dir, "a folder already read (through a link)");
        }
        if dir.join("summary.json").is_file() && dir.join("documents.jsonl").is_file() {
            return self.skip(dir, "a factmine output folder");
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.out.sources.push(Source::Unreadable {
                    path: dir.to_path_buf(),
                    reason: format!("cannot list folder: {}", io_reason(&e)),
                });
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        paths.sort();
        for path in paths {
            let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
            if link {
                if let Ok(target) = path.canonicalize() {
                    if self.roots.iter().any(|r| target.starts_with(r)) {
                        self.skip(&path, "a link to what the input folders hold already");
                        continue;
                    }
                }
            }
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) => {
                    self.skip(&path, &format!("cannot read: {}", io_reason(&e)));
                    continue;
                }
            };
            if meta.is_dir() {
                self.folder(&path, base, &meta);
            } else if !meta.is_file() {
                self.skip(&path, not_regular(&meta));
            } else if format_of(&path).is_none() {
                self.skip(
                    &path,
                    "not an article file (.txt, .md, .html, .htm, .jsonl, .ndjson, optionally .gz)",
                );
            } else if identity(&meta, &path).is_some_and(|id| !self.seen.insert(id)) {
                self.skip(&path, "a file already read (through a link)");
            } else {
                self.out.sources.push(file_source(&path, base));
            }
        }
    }
}

/// Counts the raw bytes read through it (compressed bytes for gzip), for
/// progress reports.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Ends a file's text after `left` more bytes (decompressed) with an
/// error saying so: what one input file may hold, so that a small
/// compressed file cannot make a run read without end.
struct InputLimit<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for InputLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // At the limit: the end of the file, or one byte too many.
            return match self.inner.read(&mut [0u8])? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "over the input limit of {} bytes (see --max-input-gb)",
                    self.limit
                ))),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Opens a file for reading, decompressing gzip when asked, to at most
/// `limit` bytes of its (decompressed) content.
fn open(
    path: &Path,
    gzip: bool,
    count: Arc<AtomicU64>,
    limit: u64,
) -> io::Result<Box<dyn BufRead + Send>> {
    let file = Counting {
        inner: File::open(path)?,
        count,
    };
    let limited = |inner: Box<dyn Read + Send>| InputLimit {
        inner,
        left: limit,
        limit,
    };
    Ok(Box::new(BufReader::new(if gzip {
        limited(Box::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        limited(Box::new(file))
    })))
}

/// Reads every record of the sources in order, lazily.
#[derive(Debug)]
pub struct Records {
    sources: VecDeque<Source>,
    lines: Option<jsonl::Lines>,
    bytes_read: Arc<AtomicU64>,
    max_bytes: usize,
    max_input: u64,
}

impl Records {
    /// Reads the given sources in order.
    pub fn new(sources: Vec<Source>) -> Records {
        Records {
            sources: sources.into(),
            lines: None,
            bytes_read: Arc::default(),
            max_bytes: usize::MAX / 4,
            max_input: u64::MAX,
        }
    }

    /// Refuses a record larger than `bytes` after reading at most that
    /// much of it (decompressed): a file's text, or a JSON line (which may
    /// take up to twice the text's size, for escapes, plus 1 MiB). A
    /// decompression bomb costs the limit, not its inflated size.
    pub fn with_max_bytes(mut self, bytes: usize) -> Records {
        self.max_bytes = bytes;
        self
    }

    /// Stops reading a file after `bytes` of its content (decompressed),
    /// failing the record being read with the file and line named; the
    /// run goes on with the next file.
    pub fn with_max_input(mut self, bytes: u64) -> Records {
        self.max_input = bytes;
        self
    }

    fn max_line(&self) -> usize {
        self.max_bytes.saturating_mul(2).saturating_add(1 << 20)
    }

    /// Reads JSON lines from any reader (stdin, a socket, a test), naming
    /// records `name:line`.
    pub fn from_jsonl(name: &str, reader: Box<dyn BufRead + Send>) -> Records {
        Records {
            sources: VecDeque::new(),
            lines: Some(jsonl::Lines::new(name.to_string(), reader, usize::MAX / 4)),
            bytes_read: Arc::default(),
            max_bytes: usize::MAX / 4,
            max_input: u64::MAX,
        }
    }

    /// A counter of the raw bytes read from files so far (compressed bytes
    /// for gzip files), shared with whoever reports progress.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }
}

/// The total size in bytes of the files among the sources.
pub fn total_size(sources: &[Source]) -> u64 {
    sources
        .iter()
        .filter_map(|s| match s {
            Source::File { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
            _ => None,
        })
        .sum()
}

impl Iterator for Records {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.next_pending().map(Pending::decode)
    }
}

impl Records {
    /// The records as read, not yet decoded: for a caller that decodes them
    /// elsewhere (on worker threads).
    pub fn pending(mut self) -> impl Iterator<Item = Pending> + Send {
        std::iter::from_fn(move || self.next_pending())
    }

    fn next_pending(&mut self) -> Option<Pending> {
        loop {
            if let Some(lines) = &mut self.lines {
                match lines.next() {
                    Some(record) => return Some(record),
                    None => self.lines = None,
                }
            }
            let source = self.sources.pop_front()?;
            match source {
                Source::Stdin => {
                    let reader: Box<dyn BufRead + Send> = Box::new(BufReader::new(io::stdin()));
                    self.lines = Some(jsonl::Lines::new("-".into(), reader, self.max_line()));
                }
                Source::Unreadable { path, reason } => {
                    return Some(Pending::Ready(Err(InputError::of_file(
                        path.display().to_string(),
                        reason,
                    ))))
                }
                Source::File {
                    path,
                    format,
                    gzip,
                    id,
                } => {
                    let name = path.display().to_string();
                    let fail = |reason: String| InputError::of_file(name.clone(), reason);
                    let count = Arc::clone(&self.bytes_read);
                    let reader = match open(&path, gzip, count, self.max_input) {
                        Ok(r) => r,
                        Err(e) => {
                            return Some(Pending::Ready(Err(fail(format!(
                                "cannot read: {}",
                                io_reason(&e)
                            )))))
                        }
                    };
                    match format {
                        Format::JsonLines => {
                            self.lines = Some(jsonl::Lines::new(name, reader, self.max_line()))
                        }
                        Format::Text | Format::Html => {
                            return Some(match read_bytes(reader, self.max_bytes) {
                                Ok(bytes) => Pending::File {
                                    bytes,
                                    format,
                                    id,
                                    name,
                                },
                                Err(reason) => Pending::Ready(Err(fail(reason))),
                            })
                        }
                    }
                }
            }
        }
    }
}

/// Reads the bytes of a one-document file (text or HTML), up to a limit.
fn read_bytes(reader: Box<dyn BufRead + Send>, max_bytes: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if bytes.len() > max_bytes {
        return Err(format!(
            "document too large: over {max_bytes} bytes (read no further; see --max-doc-mb)"
        ));
    }
    Ok(bytes)
}

/// Reads one text or HTML document from its bytes (decoding, front
/// matter, HTML extraction); the error says why it cannot be read.
pub fn read_document(
    bytes: &[u8],
    format: Format,
    id: &str,
    name: &str,
) -> Result<Document, String> {
    let (text, warning) = decode(bytes)?;
    let text = unify_line_ends(text);
    let mut doc = match format {
        Format::Text => text::read_text(id, name, text),
        Format::Html => {
            let article = extract_html(&text);
            html::into_document(article, id, name)
        }
        Format::JsonLines => {
            return Err("a JSON-lines file holds many documents: read it with Records".into())
        }
    }?;
    doc.warnings.extend(warning);
    Ok(doc)
}

/// Why bytes are not readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextError {
    /// Nothing but white space.
    Empty,
    /// A NUL byte: a binary file.
    Binary { line: usize, column: usize },
    /// A byte that is not UTF-8 where the text must be.
    NotUtf8 {
        byte: u8,
        line: usize,
        column: usize,
    },
    /// A UTF-16 text that does not decode.
    NotUtf16(&'static str),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Empty => f.write_str("empty file: no text"),
            TextError::Binary { line, column } => {
                write!(f, "binary file: NUL byte at line {line}, column {column}")
            }
            TextError::NotUtf8 { byte, line, column } => write!(
                f,
                "not UTF-8: invalid byte 0x{byte:02X} at line {line}, column {column}"
            ),
            TextError::NotUtf16(why) => write!(f, "not UTF-16: {why}"),
        }
    }
}

impl From<TextError> for String {
    fn from(e: TextError) -> String {
        e.to_string()
    }
}

/// Decodes a text file: UTF-8 (a BOM removed); UTF-16 with a BOM; or,
/// when no byte sequence in it is UTF-8 beyond ASCII, Windows-1252 (as
/// older scrapers save smart quotes). The second value is a warning saying
/// which fallback was used. Mixed or broken text is an error naming the
/// line and column of the first bad byte.
pub(crate) fn decode(bytes: &[u8]) -> Result<(String, Option<String>), TextError> {
    if let Some(text) = utf16(bytes)? {
        check_text(text.as_bytes())?;
        return Ok((text, Some("decoded from UTF-16 (byte-order mark)".into())));
    }
    match decode_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(e @ TextError::NotUtf8 { .. }) => {
            let utf8_beyond_ascii = bytes
                .utf8_chunks()
                .any(|chunk| chunk.valid().bytes().any(|b| b >= 0x80));
            if utf8_beyond_ascii {
                return Err(e);
            }
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            let first = e.to_string();
            let first = first.trim_start_matches("not UTF-8: ");
            Ok((
                text.into_owned(),
                Some(format!(
                    "not UTF-8: read as Windows-1252 (first such byte: {first})"
                )),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Text with a UTF-16 byte-order mark, decoded; `None` without one.
fn utf16(bytes: &[u8]) -> Result<Option<String>, TextError> {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        _ => return Ok(None),
    };
    let body = &bytes[2..];
    if !body.len().is_multiple_of(2) {
        return Err(TextError::NotUtf16(
            "an odd number of bytes after the byte-order mark",
        ));
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|text| Some(text.into_owned()))
        .ok_or(TextError::NotUtf16("an unpaired surrogate"))
}

/// Refuses empty and binary (NUL-holding) text.
fn check_text(bytes: &[u8]) -> Result<(), TextError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TextError::Empty);
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col(bytes, pos);
        return Err(TextError::Binary { line, column });
    }
    Ok(())
}

/// Checks that bytes are non-empty UTF-8 text and returns it without a BOM.
/// The error names the line and column of the first bad byte.
pub(crate) fn decode_utf8(bytes: &[u8]) -> Result<String, TextError> {
    check_text(bytes)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').unwrap_or(s).to_string()),
        Err(e) => {
            let (line, column) = line_col(bytes, e.valid_up_to());
            Err(TextError::NotUtf8 {
                byte: bytes[e.valid_up_to()],
                line,
                column,
            })
        }
    }
}

/// Line ends as Python's universal newlines read them: `\r\n` and a lone
/// `\r` become `\n`, so offsets agree with gold made by Python.
fn unify_line_ends(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

fn line_col(bytes: &[u8], pos: usize) -> (usize, usize) {
    let before = &bytes[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_limit_lets_a_file_of_its_size_end_and_stops_a_longer_one() {
        let read = |limit: u64| {
            let mut reader = InputLimit {
                inner: &b"0123456789"[..],
                left: limit,
                limit,
            };
            let mut out = Vec::new();
            let result = reader.read_to_end(&mut out);
            (out, result.map_err(|e| e.to_string()))
        };
        assert_eq!(read(10), (b"0123456789".to_vec(), Ok(10)));
        let (out, result) = read(9);
        assert_eq!(out, b"012345678");
        assert_eq!(
            result,
            Err("over the input limit of 9 bytes (see --max-input-gb)".into())
        );
    }

    #[test]
    fn ids_are_relative_paths_without_extensions() {
        let base = Path::new("corpus");
        assert_eq!(document_id(Path::new("corpus/news/a.txt"), base), "news/a");
        assert_eq!(document_id(Path::new("corpus/d/x.jsonl.gz"), base), "d/x");
        assert_eq!(document_id(Path::new("corpus/page.html"), base), "page");
    }

    #[test]
    fn formats_follow_extensions() {
        assert_eq!(format_of(Path::new("a.TXT")), Some((Format::Text, false)));
        assert_eq!(format_of(Path::new("a.md.gz")), Some((Format::Text, true)));
        assert_eq!(format_of(Path::new("a.htm")), Some((Format::Html, false)));
        assert_eq!(
            format_of(Path::new("a.ndjson.gz")),
            Some((Format::JsonLines, true))
        );
        assert_eq!(format_of(Path::new("a.pdf")), None);
        assert_eq!(format_of(Path::new("README")), None);
    }

    #[test]
    fn utf16_and_windows_1252_are_read_with_a_warning() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Hi £4".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            decode(&le).map_err(|e| e.to_string()),
            Ok((
                "Hi £4".into(),
                Some("decoded from UTF-16 (byte-order mark)".into())
            ))
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend("Hi".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap().0, "Hi");
        assert_eq!(
            decode(b"It\x92s \x93new\x94 \x96 \xa34m").map_err(|e| e.to_string()),
            Ok((
                "It’s “new” – £4m".into(),
                Some("not UTF-8: read as Windows-1252 (first such byte: invalid byte 0x92 at line 1, column 3)".into())
            ))
        );
        // UTF-8 mixed with a broken byte is broken, not Windows-1252.
        assert_eq!(
            decode(
                "Café \u{2013} "
                    .as_bytes()
                    .iter()
                    .chain(b"\x92")
                    .copied()
                    .collect::<Vec<u8>>()
                    .as_slice()
            )
            .map_err(|e| e.to_string()),
            Err("not UTF-8: invalid byte 0x92 at line 1, column 8".into())
        );
        assert_eq!(
            decode(&[0xFF, 0xFE, 0x41]).map_err(|e| e.to_string()),
            Err("not UTF-16: an odd number of bytes after the byte-order mark".into())
        );
    }

    #[test]
    fn bad_bytes_are_named_by_line_and_column() {
        assert_eq!(
            decode_utf8(b"ok\nab\xffc").map_err(|e| e.to_string()),
            Err("not UTF-8: invalid byte 0xFF at line 2, column 3".into())
        );
        assert_eq!(
            decode_utf8(b"a\0b").map_err(|e| e.to_string()),
            Err("binary file: NUL byte at line 1, column 2".into())
        );
        assert_eq!(decode_utf8(b" \n\n"), Err(TextError::Empty));
        assert_eq!(decode_utf8("\u{feff}Hi".as_bytes()), Ok("Hi".into()));
    }
}
