//! JSON lines: one article a line, `{"id", "text" | "html", "title"?,
//! "published"?, "url"?}`. Each line is read and checked on its own, so a bad
//! line loses only itself.

use super::{html, InputError, Pending, Record};
use crate::calendar::Ymd;
use crate::document::Document;
use crate::text::io_reason;
use serde_json::Value;
use std::io::BufRead;
use std::sync::Arc;

/// The records of one JSON-lines stream, read lazily: each line as it
/// stands, parsed later ([`RawLine::decode`]).
pub(super) struct Lines {
    name: Arc<str>,
    reader: Box<dyn BufRead + Send>,
    line: usize,
    buf: Vec<u8>,
    done: bool,
    /// The longest line read whole, in bytes: a longer one is skipped (its
    /// bytes read and dropped) and reported.
    max_line: usize,
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The longest document id a record may give, in bytes: every fact
/// carries its document's id, so a longer one would multiply the output.
pub const MAX_ID_BYTES: usize = 2048;

impl Lines {
    pub(super) fn new(name: String, reader: Box<dyn BufRead + Send>, max_line: usize) -> Lines {
        Lines {
            name: Arc::from(name),
            reader,
            line: 0,
            buf: Vec::new(),
            done: false,
            max_line,
        }
    }

    /// Reads one line into `buf`, keeping at most `max_line` bytes of it;
    /// returns the bytes the line had (0 at the end).
    fn read_line(&mut self) -> std::io::Result<usize> {
        let mut total = 0;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(total);
            }
            let (piece, ends) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..=i], true),
                None => (chunk, false),
            };
            let room = (self.max_line + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&piece[..piece.len().min(room)]);
            let used = piece.len();
            total += used;
            self.reader.consume(used);
            if ends {
                return Ok(total);
            }
        }
    }

    fn error(&self, reason: String) -> Pending {
        Pending::Ready(Err(InputError::at_line(
            &self.name, self.line, None, reason,
        )))
    }
}

impl Iterator for Lines {
    type Item = Pending;

    fn next(&mut self) -> Option<Pending> {
        while !self.done {
            self.buf.clear();
            self.line += 1;
            match self.read_line() {
                Ok(0) => self.done = true,
                Ok(n) if n > self.max_line => {
                    return Some(self.error(format!(
                        "line too long: {n} bytes (the limit is {}; see --max-doc-mb)",
                        self.max_line
                    )))
                }
                Ok(_) => {
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    // The next line is likely as long as this one.
                    let next = Vec::with_capacity(self.buf.len());
                    return Some(Pending::Line(RawLine {
                        name: Arc::clone(&self.name),
                        line: self.line,
                        bytes: std::mem::replace(&mut self.buf, next),
                    }));
                }
                Err(e) => {
                    self.done = true;
                    return Some(self.error(format!("cannot read further: {}", io_reason(&e))));
                }
            }
        }
        None
    }
}

/// One line of a JSON-lines file as read: its bytes, and where it stands.
#[derive(Debug)]
pub struct RawLine {
    name: Arc<str>,
    line: usize,
    bytes: Vec<u8>,
}

impl RawLine {
    fn error(&self, id: Option<String>, reason: String) -> InputError {
        InputError::at_line(&self.name, self.line, id, reason)
    }

    /// Parses the line into a document, or says why it cannot be one.
    pub fn decode(self) -> Record {
        let line = std::str::from_utf8(&self.bytes).map_err(|e| {
            self.error(
                None,
                format!(
                    "not UTF-8: invalid byte 0x{:02X} at column {}",
                    self.bytes[e.valid_up_to()],
                    String::from_utf8_lossy(&self.bytes[..e.valid_up_to()])
                        .chars()
                        .count()
                        + 1
                ),
            )
        })?;
        // Without its line end, so the parser's positions are in this line.
        let line = line.trim_end_matches(['\n', '\r']);
        if !line.trim_start().starts_with('{') {
            // Checked first: a typed record would also read an array.
            return Err(match serde_json::from_str::<serde::de::IgnoredAny>(line) {
                Ok(_) => self.error(None, "not a JSON object".into()),
                Err(e) => self.error(None, format!("not JSON: {e}")),
            });
        }
        let record: Fields =
            serde_json::from_str(line).map_err(|e| self.error(None, format!("not JSON: {e}")))?;
        let id = match &record.id {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(self.error(None, "`id` must be a non-empty string".into())),
            None => return Err(self.error(None, "missing `id`".into())),
        };
        if id.len() > MAX_ID_BYTES {
            return Err(self.error(
                None,
                format!(
                    "`id` too long: {} bytes (the most is {MAX_ID_BYTES}: every fact carries it)",
                    id.len()
                ),
            ));
        }
        let fail = |reason: String| self.error(Some(id.clone()), reason);
        let source = format!("{}:{}", self.name, self.line);
        let mut doc = match (
            string_field(record.text, "text"),
            string_field(record.html, "html"),
        ) {
            (Ok(Some(mut text)), _) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                if text.trim().is_empty() {
                    return Err(fail("`text` is empty".into()));
                }
                let mut doc = Document::from_text(&id, &source, lone_cr_as_lf(text));
                // The text is the body: its first line is the title only
                // when it stands alone and reads as a heading (guideline
                // §2), so a one-line or title-less record loses nothing.
                doc.title = crate::sections::title_line(&doc.text).map(str::to_string);
                doc.title_in_text = doc.title.is_some();
                doc
            }
            (Ok(None), Ok(Some(markup))) => {
                html::into_document(html::extract_html(&markup), &id, &source).map_err(fail)?
            }
            (Err(reason), _) | (_, Err(reason)) => return Err(fail(reason)),
            (Ok(None), Ok(None)) => return Err(fail("missing `text` (or `html`)".into())),
        };
        if doc.text.contains('\0') {
            return Err(fail("binary content: NUL character in the text".into()));
        }
        match string_field(record.title, "title").map_err(&fail)? {
            Some(title) => {
                let title = title.trim().to_string();
                doc.title_in_text = crate::document::first_line(&doc.text) == Some(title.as_str());
                doc.title = Some(title);
            }
            None if doc.title.is_none() => {
                doc.title = crate::sections::title_line(&doc.text).map(str::to_string);
                doc.title_in_text = doc.title.is_some();
            }
            None => {}
        }
        if let Some(published) = string_field(record.published, "published").map_err(&fail)? {
            match Ymd::parse_iso(&published) {
                Some(d) => doc.published = Some(d),
                None => doc.warnings.push(format!(
                    "`published` {:?} is not a YYYY-MM-DD date; ignored",
                    crate::text::cut_around(&published, 0, 0, 40)
                )),
            }
        }
        if let Some(url) = string_field(record.url, "url").map_err(&fail)? {
            // A first line that reads as a sentence is still the title
            // where the URL names it.
            if doc.title.is_none() {
                doc.title =
                    crate::sections::title_line_named_by_url(&doc.text, &url).map(str::to_string);
                doc.title_in_text = doc.title.is_some();
            }
            doc.url = Some(url);
        }
        Ok(doc)
    }
}

/// A record's text with each carriage return that ends a line alone (old
/// Mac line ends) made a line feed, so its lines, headings and paragraphs
/// read as they do with `\n`. One character for another, in place: offsets
/// into the text as given stay the same (a `\r\n` is left as it is).
fn lone_cr_as_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("one ASCII byte for another keeps UTF-8")
}

/// The fields of a record factmine reads. Any others are passed over
/// unread, however deeply they nest (only the fields read count against
/// the JSON parser's nesting limit).
#[derive(serde::Deserialize)]
struct Fields {
    id: Option<Value>,
    text: Option<Value>,
    html: Option<Value>,
    title: Option<Value>,
    published: Option<Value>,
    url: Option<Value>,
}

/// A string field, the parsed string itself: absent or null is `None`;
/// any other type is an error.
fn string_field(value: Option<Value>, key: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "`{key}` must be a string, not {}",
            match other {
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::Array(_) => "an array",
                _ => "an object",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<Record> {
        Lines::new(
            "d.jsonl".into(),
            Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
            1 << 20,
        )
        .map(Pending::decode)
        .collect()
    }

    #[test]
    fn reads_records_and_names_bad_lines() {
        let records = read(concat!(
            r#"{"id": "a", "text": "Title A\n\nBody.", "published": "2023-04-11"}"#,
            "\n\n",
            "not json\n",
            r#"{"text": "no id"}"#,
            "\n",
            r#"{"id": "b", "title": "Given", "text": "Body only.", "url": "https://example.org/2023/04/11/b"}"#,
            "\n",
            r#"{"id": "c"}"#,
            "\n"
        ));
        assert_eq!(records.len(), 5);
        let a = records[0].as_ref().unwrap();
        assert_eq!(a.title.as_deref(), Some("Title A"));
        assert!(a.title_in_text);
        assert_eq!(a.published, Ymd::new(2023, 4, 11));
        assert_eq!(a.source, "d.jsonl:1");
        let e = records[1].as_ref().unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("d.jsonl:3: not JSON: "), "{e}");
        assert_eq!(
            records[2].as_ref().unwrap_err().to_string(),
            "d.jsonl:4: missing `id`"
        );
        let b = records[3].as_ref().unwrap();
        assert_eq!(b.title.as_deref(), Some("Given"));
        assert!(!b.title_in_text);
        assert_eq!(
            records[4].as_ref().unwrap_err().to_string(),
            "d.jsonl:6 (id c): missing `text` (or `html`)"
        );
    }

    #[test]
    fn a_first_line_the_url_names_is_the_title_even_as_a_sentence() {
        let records = read(concat!(
            r#"{"id": "a", "text": "Harbour Health and Eastvale ICB work together on oximetry.\n\nBody.", "url": "https://example.org/news/harbour-health-and-eastvale-icb-work-together-on-oximetry?x=1"}"#,
            "\n",
            r#"{"id": "b", "text": "Harbour Health and Eastvale ICB work together on oximetry.\n\nBody.", "url": "https://example.org/news/a-different-story-about-wards"}"#,
            "\n",
        ));
        let a = records[0].as_ref().unwrap();
        assert_eq!(
            a.title.as_deref(),
            Some("Harbour Health and Eastvale ICB work together on oximetry.")
        );
        assert!(a.title_in_text);
        let b = records[1].as_ref().unwrap();
        assert_eq!(b.title, None);
        assert!(!b.title_in_text);
    }

    #[test]
    fn a_record_without_title_keeps_its_first_paragraph() {
        let records = read(concat!(
            r#"{"id": "one", "text": "NHS Eastvale ICB said 40 practices joined in May."}"#,
            "\n",
            r#"{"id": "two", "text": "The trust said 40 practices joined.\n\nMore followed."}"#,
            "\n",
            r#"{"id": "three", "text": "Eastvale digital round-up\n\nThe trust said so."}"#,
            "\n",
            r#"{"id": "four", "text": "A headline-like line\nstraight into text."}"#,
            "\n"
        ));
        let titles: Vec<(Option<&str>, bool)> = records
            .iter()
            .map(|r| {
                let d = r.as_ref().unwrap();
                (d.title.as_deref(), d.title_in_text)
            })
            .collect();
        assert_eq!(
            titles,
            vec![
                (None, false),
                (None, false),
                (Some("Eastvale digital round-up"), true),
                (None, false),
            ]
        );
    }

    #[test]
    fn html_records_and_bad_dates() {
        let records = read(concat!(
            r#"{"id": "h", "html": "<h1>Head</h1><p>Para.</p>", "published": "11/04/2023"}"#,
            "\n"
        ));
        let h = records[0].as_ref().unwrap();
        assert_eq!(h.text, "Head\n\nPara.\n");
        assert_eq!(h.title.as_deref(), Some("Head"));
        assert_eq!(h.published, None);
        assert_eq!(
            h.warnings,
            vec!["`published` \"11/04/2023\" is not a YYYY-MM-DD date; ignored"]
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines_and_keep_offsets() {
        let records = read(concat!(
            r#"{"id": "cr", "text": "Trust news\r\rBody one.\r\nBody two.\r"}"#,
            "\n"
        ));
        let doc = records[0].as_ref().unwrap();
        assert_eq!(doc.text, "Trust news\n\nBody one.\r\nBody two.\n");
        assert_eq!(doc.title.as_deref(), Some("Trust news"));
        assert!(doc.title_in_text);
    }

    #[test]
    fn a_byte_order_mark_before_the_text_is_dropped() {
        let records = read(concat!(
            r#"{"id": "bom", "text": "\ufeffTrust news\r\rBody.\ufeff"}"#,
            "\n",
            r#"{"id": "only", "text": "\ufeff \n"}"#,
            "\n"
        ));
        let doc = records[0].as_ref().unwrap();
        assert_eq!(doc.text, "Trust news\n\nBody.\u{feff}");
        assert_eq!(doc.title.as_deref(), Some("Trust news"));
        assert_eq!(records[1].as_ref().unwrap_err().reason, "`text` is empty");
    }

    /// Fields factmine does not read are passed over however deeply they
    /// nest; a line that is JSON but not an object, or not JSON, is named.
    #[test]
    fn unread_fields_may_nest_deeply_and_non_objects_are_refused() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let records = read(&format!(
            "{{\"id\": \"d\", \"meta\": {deep}, \"text\": \"T\\n\\nBody.\"}}\n[1, 2]\n[1, \n"
        ));
        assert_eq!(records[0].as_ref().unwrap().text, "T\n\nBody.");
        let reasons: Vec<&str> = records[1..]
            .iter()
            .map(|r| r.as_ref().unwrap_err().reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "not a JSON object",
                "not JSON: EOF while parsing a value at line 1 column 4"
            ]
        );
    }

    /// Values every fact or warning carries are bounded: a record with an
    /// id over 2 KB is refused, and a bad `published` is quoted cut.
    #[test]
    fn long_ids_are_refused_and_long_bad_dates_quoted_cut() {
        let long_id = "x".repeat(MAX_ID_BYTES + 1);
        let records = read(&format!(
            "{}\n{}\n",
            serde_json::json!({"id": long_id, "text": "T\n\nBody."}),
            serde_json::json!({"id": "p", "text": "T\n\nBody.", "published": "9".repeat(5000)}),
        ));
        let err = records[0].as_ref().unwrap_err();
        assert_eq!(
            (err.line, err.id.as_deref(), err.reason.as_str()),
            (
                Some(1),
                None,
                "`id` too long: 2049 bytes (the most is 2048: every fact carries it)"
            )
        );
        let p = records[1].as_ref().unwrap();
        assert_eq!(
            p.warnings,
            vec![format!(
                "`published` \"{}…\" is not a YYYY-MM-DD date; ignored",
                "9".repeat(40)
            )]
        );
    }
}
