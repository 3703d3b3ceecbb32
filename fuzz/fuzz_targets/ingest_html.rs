//! Fuzzes the HTML reader: parsing, block extraction and metadata.
#![no_main]
use factmine::ingest::{read_document, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_document(data, Format::Html, "fuzz", "fuzz.html");
});
