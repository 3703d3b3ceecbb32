//! Fuzzes the pattern-rule file parser: any text is a rule file or a
//! precise error, never a panic.
#![no_main]
use factmine::rules::PatternFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["dates.rules", "metrics.rules", "organisations.rules"] {
        if let Err(e) = PatternFile::parse(std::path::Path::new(name), text) {
            assert!(!e.reason.is_empty());
        }
    }
});
