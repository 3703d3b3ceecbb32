//! Fuzzes the text reader: decoding (UTF-8, UTF-16, Windows-1252), front
//! matter, and the document that comes out.
#![no_main]
use factmine::ingest::{read_document, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = read_document(data, Format::Text, "fuzz", "fuzz.txt") {
        assert!(!doc.text.trim().is_empty());
    }
});
