//! Plain text and Markdown: the whole file is the text, its first non-empty
//! line the title. An optional front-matter block at the very top
//! (`---` lines around `key: value` lines) gives `published`, `title` and
//! `url`, and is not part of the text.

use crate::calendar::Ymd;
use crate::document::Document;

/// Builds the document of a text file from its decoded contents.
pub(super) fn read_text(id: &str, source: &str, text: String) -> Result<Document, String> {
    let (meta, body) = split_front_matter(&text);
    let mut doc = Document::from_text(id, source, body.to_string());
    // The first line is the title (guideline §1) when it can be one: not
    // when it is all the text there is, nor when it runs past a headline's
    // length (a one-line article, or one that opens with its first
    // paragraph), whose facts would otherwise be lost as a title's.
    if !crate::sections::first_line_can_be_title(&doc.text) {
        doc.title = None;
        doc.title_in_text = false;
    }
    for (line, key, value) in meta {
        match key.as_str() {
            "published" | "date" => match Ymd::parse_iso(&value) {
                Some(d) => doc.published = Some(d),
                None => doc.warnings.push(format!(
                    "front matter line {line}: published {value:?} is not a YYYY-MM-DD date; ignored"
                )),
            },
            "url" => doc.url = Some(value),
            "title" => {
                doc.title_in_text = crate::document::first_line(&doc.text) == Some(value.as_str());
                doc.title = Some(value);
            }
            _ => {}
        }
    }
    if doc.text.trim().is_empty() {
        return Err("empty file: no text after the front matter".into());
    }
    Ok(doc)
}

/// Splits `---`-fenced front matter from the body. Returns the `key: value`
/// pairs with their 1-based line numbers; without front matter, none.
fn split_front_matter(text: &str) -> (Vec<(usize, String, String)>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), text);
    };
    let mut pairs = Vec::new();
    let mut offset = text.len() - rest.len();
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        offset += line.len();
        let trimmed = line.trim();
        if trimmed == "---" {
            let body = &text[offset..];
            let body = body.trim_start_matches(['\n', '\r']);
            return (pairs, body);
        }
        match trimmed.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() && !k.contains(' ') => pairs.push((
                i + 2,
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches(['"', '\'']).to_string(),
            )),
            _ if trimmed.is_empty() => {}
            _ => return (Vec::new(), text),
        }
    }
    (Vec::new(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_published_and_is_removed() {
        let doc = read_text(
            "a",
            "a.txt",
            "---\npublished: 2023-04-11\nurl: https://example.org/x\n---\nTitle here\n\nBody.\n"
                .into(),
        )
        .unwrap();
        assert_eq!(doc.published, Ymd::new(2023, 4, 11));
        assert_eq!(doc.url.as_deref(), Some("https://example.org/x"));
        assert_eq!(doc.text, "Title here\n\nBody.\n");
        assert_eq!(doc.title.as_deref(), Some("Title here"));
        assert!(doc.title_in_text);
    }

    #[test]
    fn the_first_line_is_the_title_only_when_it_can_be_one() {
        let title = |text: &str| {
            let doc = read_text("a", "a.txt", text.into()).unwrap();
            (doc.title, doc.title_in_text)
        };
        assert_eq!(
            title("Trust opens a virtual ward\nIt has 40 beds.\n"),
            (Some("Trust opens a virtual ward".into()), true)
        );
        // All there is: a one-line article.
        assert_eq!(title("The trust opened 40 beds in May.\n"), (None, false));
        // Longer than a headline: the article opens with its first paragraph.
        let opening = format!("{} the end.\n\nMore.\n", "word ".repeat(30));
        assert_eq!(title(&opening), (None, false));
        let headline = format!("{}end\n\nMore.\n", "word ".repeat(29));
        assert!(title(&headline).1);
    }

    #[test]
    fn a_rule_line_that_is_not_front_matter_stays_text() {
        let text = "---\nJust a line of dashes above, then prose.\n---\nMore.\n";
        let doc = read_text("a", "a.txt", text.into()).unwrap();
        assert_eq!(doc.text, text);
        assert_eq!(doc.published, None);
    }

    #[test]
    fn a_bad_published_date_is_a_warning() {
        let doc = read_text(
            "a",
            "a.txt",
            "---\npublished: April 2023\n---\nT\n\nB.".into(),
        )
        .unwrap();
        assert_eq!(doc.published, None);
        assert_eq!(
            doc.warnings,
            vec!["front matter line 2: published \"April 2023\" is not a YYYY-MM-DD date; ignored"]
        );
    }
}
