//! The review database's layout: documents (with their `documents.jsonl`
//! record and text), the facts of the latest import, and the append-only
//! decisions; and opening it.

use super::model::StoreError;
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;

/// The layout of the database; bumped when it changes.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,
    record TEXT NOT NULL,       -- its documents.jsonl record (sections in code points)
    text TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT
);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(doc),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    value TEXT NOT NULL,
    rule TEXT NOT NULL,
    section INTEGER NOT NULL,
    ics TEXT
);
CREATE INDEX IF NOT EXISTS facts_by_doc ON facts(doc, seq);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    fact TEXT NOT NULL,
    doc TEXT NOT NULL,
    editor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'correct', 'add')),
    type TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    value TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_doc ON decisions(doc, seq);
";

/// Opens (or creates) the database in WAL mode with full sync, creates the
/// tables, and checks the layout is the one this factmine reads.
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    // An import and editors write to the same database: a write waits for
    // the other's transaction (imports commit a batch at a time) rather
    // than fail.
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)?;
    let version: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match version {
        None => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION.to_string()],
            )?;
        }
        Some(v) if v == SCHEMA_VERSION.to_string() => {}
        Some(v) => {
            return Err(StoreError::Invalid(format!(
                "{}: review database schema {v}, this factmine reads schema {SCHEMA_VERSION}",
                path.display()
            )))
        }
    }
    Ok(conn)
}
