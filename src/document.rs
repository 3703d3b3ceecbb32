//! The document: one article as it enters the pipeline.

use crate::calendar::Ymd;

/// One article: its id, metadata and text. Offsets into `text` are what
/// sections and facts point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable document id: a file's path relative to its input folder without
    /// extension, or a JSON-lines record's `id`.
    pub id: String,
    /// The title, when known.
    pub title: Option<String>,
    /// Whether the text's first line is the title (a `title` section).
    pub title_in_text: bool,
    /// Publication date, the reference for relative dates.
    pub published: Option<Ymd>,
    /// Where the document came from: a path, `path:line` for a JSON-lines
    /// record, or `-:line` for standard input.
    pub source: String,
    /// The article's URL, when known.
    pub url: Option<String>,
    /// The article text (UTF-8, BOM and front matter removed).
    pub text: String,
    /// Problems found while reading that did not stop the document.
    pub warnings: Vec<String>,
    /// How many documents with the same id came before this one in the run
    /// (0 for the first); a repeat gets fact ids of its own.
    pub repeat: usize,
}

impl Document {
    /// A document from plain text whose first non-empty line is its title.
    pub fn from_text(id: &str, source: &str, text: String) -> Document {
        let title = first_line(&text).map(str::to_string);
        Document {
            id: id.to_string(),
            title_in_text: title.is_some(),
            title,
            published: None,
            source: source.to_string(),
            url: None,
            text,
            warnings: Vec::new(),
            repeat: 0,
        }
    }
}

impl Document {
    /// A hash of everything extraction reads from the document (id, title,
    /// published, URL, text): equal hashes and equal rules give equal facts.
    pub fn input_hash(&self) -> String {
        let mut h = crate::text::Fnv::new();
        h.field(&self.id);
        h.field(self.title.as_deref().unwrap_or(""));
        h.field(if self.title_in_text { "1" } else { "0" });
        h.field(&self.published.map(|d| d.to_string()).unwrap_or_default());
        h.field(self.url.as_deref().unwrap_or(""));
        h.field(&self.text);
        format!("{:016x}", h.finish())
    }
}

/// The first non-blank line of a text, trimmed.
pub fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}
