//! HTML pages: the article text with block structure kept. Headings (`h1`–`h6`)
//! become lines of their own, paragraphs and list items become blocks
//! separated by blank lines (list items start with `• `), and script, style,
//! navigation, forms, asides and footers are dropped. The text comes from
//! `<article>`, else `<main>`, else `<body>`.

use crate::calendar::Ymd;
use crate::document::Document;
use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// What an HTML page yields: its text and the metadata found in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HtmlArticle {
    /// The article text, blocks separated by blank lines.
    pub text: String,
    /// The first `h1` of the article, else the page `<title>`.
    pub title: Option<String>,
    /// Whether the text starts with the title (it was the first block).
    pub title_in_text: bool,
    /// From `article:published_time`, a date meta tag or the first `<time datetime>`.
    pub published: Option<Ymd>,
    /// From `<link rel="canonical">` or `og:url`.
    pub url: Option<String>,
    /// Elements nested deeper than `MAX_DEPTH` (256) had their tags dropped
    /// (their text kept) before parsing.
    pub flattened: bool,
    /// The page has more than `MAX_ELEMENTS` (100,000) elements: the tags after
    /// them were dropped (their text kept) before parsing.
    pub thinned: bool,
}

/// The deepest element nesting parsed as such: deeper tags are dropped
/// before the HTML parser sees them (their text stays), because its cost
/// grows faster than the nesting (no real article nests this deep).
pub const MAX_DEPTH: usize = 256;

/// The most elements parsed as such: the tags after them are dropped
/// before the HTML parser sees them (their text stays, a block's tag
/// leaving a space), because the parsed tree costs memory by the element
/// (a page of 16 MB of `<br>` took 1.5 GB) and no real article has this
/// many.
pub const MAX_ELEMENTS: usize = 100_000;

/// Elements that have no end tag, or whose end tag may be left out (the
/// parser closes them itself): they are not counted as nesting.
const UNNESTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// What [`flatten`] made of a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flattened {
    /// The page with tags left out; `None` when none was.
    pub source: Option<String>,
    /// Tags nested too deep were left out.
    pub deep: bool,
    /// Tags past the most elements were left out.
    pub many: bool,
}

/// `source` with the tags of elements nested deeper than `max_depth`, and
/// every tag after the first `max_elements` elements, left out, in one
/// pass. A block's tag left out leaves a space, so its words stay apart.
pub fn flatten(source: &str, max_depth: usize, max_elements: usize) -> Flattened {
    let bytes = source.as_bytes();
    let mut flat = Flattened::default();
    let mut elements = 0usize;
    let (mut depth, mut dropped, mut copied, mut at) = (0usize, 0usize, 0usize, 0usize);
    while let Some(off) = source[at..].find('<') {
        let start = at + off;
        let rest = &source[start..];
        // Comments, doctypes and raw text (script, style) are passed over whole.
        let skip_to = |end: &str| {
            rest.find(end)
                .map_or(source.len(), |i| start + i + end.len())
        };
        if rest.starts_with("<!--") {
            at = skip_to("-->");
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = start + if closing { 2 } else { 1 };
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 {
            at = start + 1;
            continue;
        }
        let name = source[name_start..name_start + name_len].to_ascii_lowercase();
        let Some(close) = source[name_start..].find('>') else {
            break;
        };
        let tag_end = name_start + close + 1;
        if !closing && (name == "script" || name == "style") {
            let mut end = tag_end;
            at = loop {
                match source[end..].find("</") {
                    None => break source.len(),
                    Some(i) => {
                        let after = end + i + 2;
                        let word = bytes.get(after..after + name.len());
                        if word.is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes())) {
                            break end + i;
                        }
                        end = after;
                    }
                }
            };
            continue;
        }
        let self_closing = source[..tag_end].ends_with("/>");
        if !closing {
            elements += 1;
        }
        let drop = if elements > max_elements {
            flat.many = true;
            true
        } else if UNNESTED.contains(&name.as_str()) || self_closing {
            false
        } else if closing {
            if dropped > 0 {
                dropped -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= max_depth {
            dropped += 1;
            flat.deep = true;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            let o = flat
                .source
                .get_or_insert_with(|| String::with_capacity(source.len()));
            o.push_str(&source[copied..start]);
            if name == "br" || BLOCKS.contains(&name.as_str()) {
                o.push(' ');
            }
            copied = tag_end;
        }
        at = tag_end;
    }
    if let Some(o) = &mut flat.source {
        o.push_str(&source[copied..]);
    }
    flat
}

const DROPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "svg", "head", "footer", "aside", "form",
    "button", "iframe", "select", "textarea",
];

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "address",
    "details",
    "summary",
];

/// Extracts the article text and metadata from an HTML page or fragment.
pub fn extract_html(source: &str) -> HtmlArticle {
    let flat = flatten(source, MAX_DEPTH, MAX_ELEMENTS);
    let html = Html::parse_document(flat.source.as_deref().unwrap_or(source));
    let mut article = HtmlArticle {
        flattened: flat.deep,
        thinned: flat.many,
        ..HtmlArticle::default()
    };
    let mut page_title = None;
    let mut root = None;
    let mut main = None;
    let mut body = None;
    for node in html.tree.root().descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let attr = |name: &str| el.attr(name).map(str::trim).filter(|v| !v.is_empty());
        match el.name() {
            "article" if root.is_none() => root = Some(node.id()),
            "main" if main.is_none() => main = Some(node.id()),
            "body" if body.is_none() => body = Some(node.id()),
            "title" if page_title.is_none() => {
                page_title = Some(collapse(&text_of(node)));
            }
            "meta" if article.published.is_none() => {
                let key = attr("property").or_else(|| attr("name")).unwrap_or("");
                let key = key.to_ascii_lowercase();
                if matches!(
                    key.as_str(),
                    "article:published_time" | "date" | "pubdate" | "publish-date" | "dc.date"
                ) {
                    article.published = attr("content").and_then(Ymd::parse_iso);
                } else if key == "og:url" && article.url.is_none() {
                    article.url = attr("content").map(str::to_string);
                }
            }
            "link" if attr("rel") == Some("canonical") => {
                article.url = attr("href").map(str::to_string);
            }
            "time" if article.published.is_none() => {
                article.published = attr("datetime").and_then(Ymd::parse_iso);
            }
            _ => {}
        }
    }
    let top = root
        .or(main)
        .or(body)
        .unwrap_or_else(|| html.tree.root().id());
    let (blocks, first_h1) = blocks_of(html.tree.get(top).expect("node id from this tree"));
    article.title_in_text = first_h1 == Some(0);
    article.title = match first_h1 {
        Some(i) => Some(blocks[i].clone()),
        None => page_title.filter(|t| !t.is_empty()),
    };
    article.text = blocks.join("\n\n");
    if !article.text.is_empty() {
        article.text.push('\n');
    }
    article
}

/// Walks a subtree without recursion (deep nesting cannot overflow the
/// stack) and returns its text blocks and the index of the first `h1` block.
fn blocks_of(top: ego_tree::NodeRef<'_, Node>) -> (Vec<String>, Option<usize>) {
    let mut blocks = Vec::new();
    let mut first_h1 = None;
    let mut buf = String::new();
    let mut prefix = "";
    let mut skip_depth = 0usize;
    let mut heading_depth = 0usize;
    for edge in top.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if skip_depth > 0 || DROPPED.contains(&name) {
                        skip_depth += 1;
                    } else if BLOCKS.contains(&name) {
                        flush(&mut buf, prefix, &mut blocks);
                        prefix = if name == "li" { "• " } else { "" };
                        if name.len() == 2 && name.starts_with('h') && name != "hr" {
                            heading_depth += 1;
                            if name == "h1" && first_h1.is_none() {
                                first_h1 = Some(blocks.len());
                            }
                        }
                    } else if name == "br" && heading_depth == 0 {
                        buf.push('\n');
                    }
                }
                Node::Text(text) if skip_depth == 0 => buf.push_str(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if BLOCKS.contains(&name) {
                        if name.len() == 2 && name.starts_with('h') && name != "hr" {
                            heading_depth = heading_depth.saturating_sub(1);
                        }
                        flush(&mut buf, prefix, &mut blocks);
                        prefix = "";
                    }
                }
            }
        }
    }
    flush(&mut buf, prefix, &mut blocks);
    if first_h1.is_some_and(|i| i >= blocks.len()) {
        first_h1 = None;
    }
    (blocks, first_h1)
}

/// Ends the current block: collapses its white space line by line and keeps
/// it when anything is left.
fn flush(buf: &mut String, prefix: &str, blocks: &mut Vec<String>) {
    let lines: Vec<String> = buf
        .split('\n')
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect();
    if !lines.is_empty() {
        blocks.push(format!("{prefix}{}", lines.join("\n")));
    }
    buf.clear();
}

/// Collapses every run of white space (no-break spaces included) to one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(node: ego_tree::NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
        .collect()
}

/// Turns an extracted page into a document; a page with no text fails.
pub(super) fn into_document(
    article: HtmlArticle,
    id: &str,
    source: &str,
) -> Result<Document, String> {
    if article.text.trim().is_empty() {
        return Err("no article text in the HTML".into());
    }
    Ok(Document {
        id: id.to_string(),
        title: article.title,
        title_in_text: article.title_in_text,
        published: article.published,
        source: source.to_string(),
        url: article.url,
        text: article.text,
        warnings: [
            article.flattened.then(|| format!(
                "HTML nested deeper than {MAX_DEPTH} elements: the deeper tags were dropped, their text kept"
            )),
            article.thinned.then(|| format!(
                "HTML with more than {MAX_ELEMENTS} elements: the tags after them were dropped, their text kept"
            )),
        ]
        .into_iter()
        .flatten()
        .collect(),
        repeat: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flattened_before_parsing() {
        let deep = format!(
            "<body>{}text{}</body>",
            "<div>".repeat(300),
            "</div>".repeat(300)
        );
        let flat = flatten(&deep, 256, MAX_ELEMENTS).source.unwrap();
        assert_eq!(flat.matches("<div>").count(), 256);
        assert_eq!(flat.matches("</div>").count(), 256);
        assert!(flat.contains("text"));
        // Unclosed paragraphs, void elements, comments and scripts do not nest.
        let page = format!(
            "<body>{}<script>var s = '<div><div>';</script><!-- <div> --></body>",
            "<p>para<br><img src=x>".repeat(1000)
        );
        assert_eq!(flatten(&page, 256, MAX_ELEMENTS), Flattened::default());
        let a = extract_html(&format!(
            "<body>{}Deep words.</body>",
            "<div>".repeat(50_000)
        ));
        assert!(a.flattened);
        assert_eq!(a.text, "Deep words.\n");
    }

    #[test]
    fn tags_past_the_most_elements_are_dropped_leaving_blocks_apart() {
        let page = "<body><p>One</p><p>Two</p><p>Three<br>Four <b>bold</b></p></body>";
        let flat = flatten(page, 256, 3);
        assert!(flat.many && !flat.deep);
        // body, p, p are parsed; the rest leave spaces (blocks, breaks) or
        // nothing (inline tags).
        assert_eq!(
            flat.source.as_deref(),
            Some("<body><p>One</p><p>Two</p> Three Four bold ")
        );
        assert_eq!(flatten(page, 256, 7), Flattened::default());
    }

    #[test]
    fn keeps_blocks_and_drops_chrome() {
        let page = r#"<html><head><title>Page</title>
            <meta property="article:published_time" content="2024-05-20T09:00:00Z">
            <link rel="canonical" href="https://example.org/a"></head>
            <body><nav><a href="/">Home</a></nav><script>var x = "<p>no</p>";</script>
            <article><h1>The  title</h1><p>First &amp; <em>second</em>&nbsp;part.</p>
            <h2>Black Country</h2><ul><li>One</li><li>Two</li></ul></article>
            <footer>Copyright</footer></body></html>"#;
        let a = extract_html(page);
        assert_eq!(
            a.text,
            "The title\n\nFirst & second part.\n\nBlack Country\n\n• One\n\n• Two\n"
        );
        assert_eq!(a.title.as_deref(), Some("The title"));
        assert!(a.title_in_text);
        assert_eq!(a.published, Ymd::new(2024, 5, 20));
        assert_eq!(a.url.as_deref(), Some("https://example.org/a"));
    }

    #[test]
    fn falls_back_to_page_title_and_body() {
        let a = extract_html("<title>T</title><p>Only text</p>");
        assert_eq!(a.text, "Only text\n");
        assert_eq!(a.title.as_deref(), Some("T"));
        assert!(!a.title_in_text);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!("{}deep{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert_eq!(extract_html(&page).text, "deep\n");
    }
}
