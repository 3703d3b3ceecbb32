//! Tab-separated rule files: `#` comments, blank lines skipped, a fixed
//! range of fields a line.

use super::RuleError;
use std::path::Path;

/// One data line of a TSV file.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// 1-based line number.
    pub line: usize,
    /// Fields, trimmed; missing optional fields are empty strings.
    pub fields: Vec<String>,
}

/// Reads a TSV file whose lines have between `min` and `max` fields.
pub(crate) fn read(path: &Path, min: usize, max: usize) -> Result<Vec<Row>, RuleError> {
    let text = read_text(path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let mut fields: Vec<String> = line.split('\t').map(|f| f.trim().to_string()).collect();
        while fields.len() > min && fields.last().is_some_and(String::is_empty) {
            fields.pop();
        }
        if fields.len() < min || fields.len() > max {
            return Err(RuleError::at(
                path,
                line_no,
                format!(
                    "expected {} tab-separated fields, found {}",
                    if min == max {
                        min.to_string()
                    } else {
                        format!("{min} to {max}")
                    },
                    fields.len()
                ),
            ));
        }
        if fields[0].is_empty() {
            return Err(RuleError::at(path, line_no, "the first field is empty"));
        }
        fields.resize(max, String::new());
        rows.push(Row {
            line: line_no,
            fields,
        });
    }
    Ok(rows)
}

/// Reads a rule file as UTF-8 text, naming the file on failure.
pub(crate) fn read_text(path: &Path) -> Result<String, RuleError> {
    let bytes = std::fs::read(path).map_err(|e| {
        RuleError::file(path, format!("cannot read: {}", crate::text::io_reason(&e)))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        RuleError::at(path, line, "not UTF-8")
    })
}

/// Splits a `|`-separated list field, dropping empty items.
pub(crate) fn list(field: &str) -> impl Iterator<Item = &str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}
