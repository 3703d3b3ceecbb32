//! The digest as a static site: `index.html` (every ICS by region, with
//! charts) and one page per ICS (and one for facts no ICS claims), each
//! listing the sentences its items link to. Plain HTML and inline SVG:
//! no script, nothing fetched, opens from disk. Article text reaches the
//! pages only through [`escape`].

use super::chart::{stacked_bars, Direction, Series};
use super::{Area, Digest, Evidence};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Technology categories drawn separately in the chart (the rest are
/// "other").
const CHART_CATEGORIES: usize = 8;
/// Quarters drawn in the chart (the latest).
const CHART_QUARTERS: usize = 24;
/// Items named in a cell of the overview table.
const TOP: usize = 3;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes `index.html`, `ics/SLUG.html` for every ICS and
/// `unattributed.html` into `dir`; returns the paths written.
pub fn write(digest: &Digest, dir: &Path) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir.join("ics"))?;
    let mut written = Vec::new();
    let mut put = |path: PathBuf, body: String| -> io::Result<()> {
        fs::write(&path, body)?;
        written.push(path);
        Ok(())
    };
    put(dir.join("index.html"), index(digest))?;
    for area in &digest.systems {
        put(
            dir.join("ics").join(format!("{}.html", area.slug)),
            area_page(area, "../"),
        )?;
    }
    put(
        dir.join("unattributed.html"),
        area_page(&digest.unattributed, ""),
    )?;
    Ok(written)
}

/// A page around `body`.
fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.none td {{ color: #777; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 1.5rem; }}
figure {{ margin: 0; }}
figcaption {{ font-weight: 600; margin-bottom: .3rem; }}
mark {{ background: #ffe58a; }}
li:target, p:target {{ outline: 3px solid #0072B2; }}
.doc {{ color: #555; font-size: .9em; }}
nav a {{ margin-right: 1rem; }}
</style>
</head>
<body>
{body}
</body>
</html>
"#,
        escape(title)
    )
}

/// The overview: charts, then every ICS by region.
fn index(digest: &Digest) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Digital in England's Integrated Care Systems</h1>\n<p>{} documents, {} facts{}. \
         Each ICS's page lists its organisations, technologies, suppliers, money and dates, \
         every item linked to its sentences. <a href=\"unattributed.html\">National and \
         unattributed facts</a> ({}).</p>\n",
        digest.documents,
        digest.facts,
        if digest.reviewed {
            " (reviewed: accepted, corrected and added facts only)"
        } else {
            ""
        },
        digest.unattributed.facts["total"],
    );
    body.push_str("<div class=\"charts\">\n");
    body.push_str(&quarters_chart(digest));
    body.push_str(&categories_chart(digest));
    body.push_str("</div>\n");
    let mut regions: BTreeMap<&str, Vec<&Area>> = BTreeMap::new();
    for area in &digest.systems {
        regions
            .entry(area.region.as_deref().unwrap_or(""))
            .or_default()
            .push(area);
    }
    for (region, systems) in regions {
        let _ = write!(
            body,
            "<h2>{}</h2>\n<table class=\"systems\">\n<thead><tr><th>ICS</th><th>Documents</th>\
             <th>Organisations</th><th>Technologies</th><th>Dates</th><th>Metrics</th>\
             <th>Top technologies</th><th>Top suppliers</th><th>Money</th><th>Latest dated fact</th>\
             </tr></thead>\n<tbody>\n",
            escape(region)
        );
        for a in systems {
            let link = format!(
                "<a href=\"ics/{}.html\">{}</a>",
                escape(&a.slug),
                escape(&a.name)
            );
            if a.facts["total"] == 0 {
                let _ = writeln!(
                    body,
                    "<tr class=\"none\"><td>{link}</td><td colspan=\"9\">no coverage in this run</td></tr>"
                );
                continue;
            }
            let top_terms: Vec<String> = top_terms(a)
                .into_iter()
                .take(TOP)
                .map(|t| escape(&t))
                .collect();
            let suppliers: Vec<String> = a
                .suppliers
                .iter()
                .take(TOP)
                .map(|s| escape(&s.canonical))
                .collect();
            let money: Vec<String> = a
                .money
                .iter()
                .map(|m| money(m.total, &m.currency))
                .collect();
            let latest = a.timeline.last().map_or(String::new(), |d| {
                if d.fact.text == d.value {
                    escape(&d.value)
                } else {
                    format!(
                        "{} <span class=\"doc\">({})</span>",
                        escape(&d.value),
                        escape(&d.fact.text)
                    )
                }
            });
            let _ = writeln!(
                body,
                "<tr><td>{link}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.documents,
                a.facts["organisation"],
                a.facts["technology"],
                a.facts["date"],
                a.facts["metric"],
                top_terms.join(", "),
                suppliers.join(", "),
                money.join(", "),
                latest
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    page("factmine digest", &body)
}

/// An area's technology terms by mentions, most first.
fn top_terms(a: &Area) -> Vec<String> {
    let mut terms: Vec<(usize, &str)> = a
        .technologies
        .iter()
        .flat_map(|c| c.terms.iter().map(|t| (t.mentions, t.canonical.as_str())))
        .collect();
    terms.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
    terms.into_iter().map(|(_, t)| t.to_string()).collect()
}

/// Facts per quarter of publication, stacked by region.
fn quarters_chart(digest: &Digest) -> String {
    let quarters: BTreeSet<&String> = digest
        .regions
        .iter()
        .flat_map(|r| r.quarters.keys())
        .filter(|q| *q != "undated")
        .collect();
    let labels: Vec<String> = quarters
        .iter()
        .rev()
        .take(CHART_QUARTERS)
        .rev()
        .map(|q| q.to_string())
        .collect();
    let series: Vec<Series> = digest
        .regions
        .iter()
        .map(|r| Series {
            name: r.name.clone(),
            values: labels
                .iter()
                .map(|q| r.quarters.get(q).copied().unwrap_or(0) as f64)
                .collect(),
        })
        .collect();
    figure(
        "Facts attributed to an ICS, by quarter published and region",
        &stacked_bars(
            "Facts per quarter by region",
            &labels,
            &series,
            Direction::Vertical,
        ),
    )
}

/// Technology mentions per region, stacked by category.
fn categories_chart(digest: &Digest) -> String {
    let top: Vec<&str> = digest
        .national
        .technologies
        .iter()
        .take(CHART_CATEGORIES)
        .map(|c| c.category.as_str())
        .collect();
    let labels: Vec<String> = digest.regions.iter().map(|r| r.name.clone()).collect();
    let mut series: Vec<Series> = top
        .iter()
        .map(|&cat| Series {
            name: cat.to_string(),
            values: digest
                .regions
                .iter()
                .map(|r| {
                    r.technologies
                        .iter()
                        .find(|c| c.category == cat)
                        .map_or(0.0, |c| c.mentions as f64)
                })
                .collect(),
        })
        .collect();
    series.push(Series {
        name: "other".into(),
        values: digest
            .regions
            .iter()
            .map(|r| {
                r.technologies
                    .iter()
                    .filter(|c| !top.contains(&c.category.as_str()))
                    .map(|c| c.mentions as f64)
                    .sum()
            })
            .collect(),
    });
    figure(
        "Technology mentions by category and region",
        &stacked_bars(
            "Technology categories per region",
            &labels,
            &series,
            Direction::Horizontal,
        ),
    )
}

fn figure(caption: &str, svg: &str) -> String {
    format!(
        "<figure>\n<figcaption>{}</figcaption>\n{svg}\n</figure>\n",
        escape(caption)
    )
}

/// The sentences a page links to, numbered in the order first cited.
#[derive(Default)]
struct Citations<'a> {
    list: Vec<&'a Evidence>,
    number: HashMap<&'a str, usize>,
}

impl<'a> Citations<'a> {
    /// Links to these facts' sentences, `[1] [2]`.
    fn links(&mut self, examples: &'a [Evidence]) -> String {
        let links: Vec<String> = examples.iter().map(|e| self.link(e)).collect();
        links.join(" ")
    }

    /// A link to one fact's sentence.
    fn link(&mut self, e: &'a Evidence) -> String {
        let n = match self.number.get(e.id.as_str()) {
            Some(&n) => n,
            None => {
                self.list.push(e);
                self.number.insert(&e.id, self.list.len());
                self.list.len()
            }
        };
        format!("<a href=\"#f-{}\">[{n}]</a>", escape(&e.id))
    }

    /// The numbered list of sentences, each fact marked and its document
    /// named.
    fn render(&self) -> String {
        let mut out = String::from("<h2>Sentences</h2>\n<ol class=\"sentences\">\n");
        for e in &self.list {
            let (before, after) = match e.sentence.find(&e.text) {
                Some(at) => (&e.sentence[..at], &e.sentence[at + e.text.len()..]),
                None => (e.sentence.as_str(), ""),
            };
            let marked = if e.sentence.contains(&e.text) {
                format!("<mark>{}</mark>", escape(&e.text))
            } else {
                String::new()
            };
            let source = match &e.title {
                Some(t) => format!("{} ({})", escape(t), escape(&e.doc)),
                None => escape(&e.doc),
            };
            let _ = writeln!(
                out,
                "<li id=\"f-{}\">{}{marked}{} <span class=\"doc\">— {source}</span></li>",
                escape(&e.id),
                escape(before),
                escape(after)
            );
        }
        out.push_str("</ol>\n");
        out
    }
}

/// A table: a heading, column names, and rows of cells already escaped.
fn table(out: &mut String, heading: &str, class: &str, columns: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2>{}</h2>\n<table class=\"{class}\"><thead><tr>",
        escape(heading)
    );
    for c in columns {
        let _ = write!(out, "<th>{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// One area's page; `root` leads from it back to the index.
fn area_page(a: &Area, root: &str) -> String {
    let mut body = String::new();
    let mut cite = Citations::default();
    let _ = write!(
        body,
        "<nav><a href=\"{root}index.html\">All ICSs</a></nav>\n<h1>{}</h1>\n<p>",
        escape(&a.name)
    );
    if let Some(region) = &a.region {
        let _ = write!(body, "{} region. ", escape(region));
    }
    if let Some(code) = &a.code {
        let _ = write!(body, "ICB code {}. ", escape(code));
    }
    let _ = writeln!(
        body,
        "{} documents; {} facts: {} organisations, {} technologies, {} dates, {} metrics.</p>",
        a.documents,
        a.facts["total"],
        a.facts["organisation"],
        a.facts["technology"],
        a.facts["date"],
        a.facts["metric"]
    );
    if a.facts["total"] == 0 {
        body.push_str("<p>No coverage in this run.</p>\n");
    }
    let opt = |s: &Option<String>| escape(s.as_deref().unwrap_or(""));
    let rows: Vec<Vec<String>> = a
        .organisations
        .iter()
        .map(|o| {
            vec![
                escape(&o.canonical),
                opt(&o.kind),
                opt(&o.code),
                o.mentions.to_string(),
                cite.links(&o.examples),
            ]
        })
        .collect();
    table(
        &mut body,
        "Organisations",
        "organisations",
        &["Organisation", "Kind", "ODS code", "Mentions", "Sentences"],
        &rows,
    );
    let rows: Vec<Vec<String>> = a
        .technologies
        .iter()
        .flat_map(|c| c.terms.iter())
        .map(|t| {
            vec![
                escape(&t.category),
                escape(&t.canonical),
                t.mentions.to_string(),
                cite.links(&t.examples),
            ]
        })
        .collect();
    table(
        &mut body,
        "Technologies",
        "technologies",
        &["Category", "Technology", "Mentions", "Sentences"],
        &rows,
    );
    let mut rows: Vec<Vec<String>> = a
        .suppliers
        .iter()
        .map(|o| {
            vec![
                escape(&o.canonical),
                o.mentions.to_string(),
                cite.links(&o.examples),
            ]
        })
        .collect();
    for t in &a.products {
        rows.push(vec![
            format!(
                "{} <span class=\"doc\">({})</span>",
                escape(&t.canonical),
                escape(&t.category)
            ),
            t.mentions.to_string(),
            cite.links(&t.examples),
        ]);
    }
    table(
        &mut body,
        "Suppliers and products",
        "suppliers",
        &["Supplier or product", "Mentions", "Sentences"],
        &rows,
    );
    let rows: Vec<Vec<String>> = a
        .money
        .iter()
        .map(|m| {
            vec![
                escape(&m.currency),
                money(m.total, &m.currency),
                m.facts.len().to_string(),
                cite.links(&m.examples),
            ]
        })
        .collect();
    table(
        &mut body,
        "Money",
        "money",
        &["Currency", "Total", "Amounts summed", "Largest amounts"],
        &rows,
    );
    for (heading, class, list) in [
        ("Counts", "counts", &a.counts),
        ("Percentages", "percentages", &a.percentages),
    ] {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|q| {
                vec![
                    escape(&q.fact.text),
                    grouped(q.number),
                    opt(&q.unit),
                    cite.link(&q.fact),
                ]
            })
            .collect();
        table(
            &mut body,
            heading,
            class,
            &["As written", "Number", "Unit", "Sentence"],
            &rows,
        );
    }
    let rows: Vec<Vec<String>> = a
        .timeline
        .iter()
        .map(|d| {
            vec![
                escape(&d.value),
                escape(&d.fact.text),
                escape(d.fact.title.as_deref().unwrap_or(&d.fact.doc)),
                cite.link(&d.fact),
            ]
        })
        .collect();
    table(
        &mut body,
        "Timeline",
        "timeline",
        &["Date", "As written", "Document", "Sentence"],
        &rows,
    );
    if !cite.list.is_empty() {
        body.push_str(&cite.render());
    }
    page(&a.name, &body)
}

/// An amount of money as people write it: `£4.1 million`, `£250,000`.
pub fn money(total: f64, currency: &str) -> String {
    let symbol = match currency {
        "GBP" => "£",
        "USD" => "$",
        "EUR" => "€",
        _ => "",
    };
    let amount = if total >= 1e9 {
        format!("{} billion", trim_decimals(total / 1e9))
    } else if total >= 1e6 {
        format!("{} million", trim_decimals(total / 1e6))
    } else {
        grouped(total)
    };
    if symbol.is_empty() {
        format!("{amount} {currency}")
    } else {
        format!("{symbol}{amount}")
    }
}

/// A number with up to two decimals, trailing zeros dropped.
fn trim_decimals(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number with thousands separators (`9,454`, `0.25`).
pub fn grouped(x: f64) -> String {
    if x.fract() != 0.0 || x.abs() >= 1e15 {
        return trim_decimals(x);
    }
    let digits = format!("{}", x.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_figures_read_as_people_write_them() {
        assert_eq!(
            escape(r#"<script>alert("x & 'y'")</script>"#),
            "&lt;script&gt;alert(&quot;x &amp; &#39;y&#39;&quot;)&lt;/script&gt;"
        );
        assert_eq!(money(7_100_000.0, "GBP"), "£7.1 million");
        assert_eq!(money(2_500_000_000.0, "USD"), "$2.5 billion");
        assert_eq!(money(250_000.0, "GBP"), "£250,000");
        assert_eq!(money(1_000.0, "CHF"), "1,000 CHF");
        assert_eq!(grouped(9454.0), "9,454");
        assert_eq!(grouped(0.25), "0.25");
        assert_eq!(grouped(-1200.0), "-1,200");
    }
}
