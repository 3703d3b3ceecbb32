//! Fuzzes the JSON-lines reader, plain and gzip-compressed: every line
//! gives a document or a named error, never a panic.
#![no_main]
use factmine::ingest::Records;
use libfuzzer_sys::fuzz_target;
use std::io::{BufReader, Cursor};

fuzz_target!(|data: &[u8]| {
    let plain = Records::from_jsonl("fuzz.jsonl", Box::new(Cursor::new(data.to_vec())));
    for record in plain {
        if let Err(e) = record {
            assert!(e.line.is_some());
        }
    }
    let gz = flate2::read::MultiGzDecoder::new(Cursor::new(data.to_vec()));
    for _ in Records::from_jsonl("fuzz.jsonl.gz", Box::new(BufReader::new(gz))) {}
});
