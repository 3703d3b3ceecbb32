//! Fuzzes the table loaders: the gazetteers (ICSs, ICS forms,
//! organisations, technologies, trust suffixes, stop phrases), the section
//! phrases and every lexicon table. A small copy of the bundled rule folder
//! is made once; each input picks one of its tables (first byte), and
//! replaces it or is appended to it (second byte). Loading then gives rules
//! or a precise error naming the file, never a panic; rules that load
//! compile and extract from a sample text with valid offsets.
#![no_main]
use factmine::{Document, Pipeline};
use libfuzzer_sys::fuzz_target;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Data lines kept from each gazetteer: enough for every loader path,
/// few enough that a load takes a millisecond or two.
const GAZETTEER_LINES: usize = 40;

const SAMPLE: &str = "What's happening in digital\n\nNHS Birmingham and Solihull\n\n\
Black Country Healthcare NHS Foundation Trust rolled out an electronic patient record \
to 9,454 people last November, saving £4.1 million and cutting waits by 41 percent.\n";

/// The fixture folder and its tables (paths relative to it) with their contents.
struct Fixture {
    dir: PathBuf,
    tables: Vec<(PathBuf, Vec<u8>)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
        let dir = std::env::temp_dir().join(format!("factmine-fuzz-tables-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("patterns")).unwrap();
        let mut tables = Vec::new();
        for sub in ["", "gazetteers", "lexicon"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
            let mut names: Vec<PathBuf> = fs::read_dir(rules.join(sub))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
                .collect();
            names.sort();
            for path in names {
                let text = fs::read_to_string(&path).unwrap();
                let text = if sub == "gazetteers" {
                    let mut data = 0;
                    text.lines()
                        .filter(|l| {
                            let keep = l.starts_with('#') || data < GAZETTEER_LINES;
                            data += usize::from(!l.starts_with('#') && !l.trim().is_empty());
                            keep
                        })
                        .map(|l| format!("{l}\n"))
                        .collect()
                } else {
                    text
                };
                let rel = Path::new(sub).join(path.file_name().unwrap());
                fs::write(dir.join(&rel), &text).unwrap();
                tables.push((rel, text.into_bytes()));
            }
        }
        Fixture { dir, tables }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let [pick, mode, body @ ..] = data else {
        return;
    };
    let (rel, original) = &f.tables[usize::from(*pick) % f.tables.len()];
    let path = f.dir.join(rel);
    let mut content = if mode & 1 == 0 {
        Vec::new()
    } else {
        original.clone()
    };
    content.extend_from_slice(body);
    fs::write(&path, &content).unwrap();
    match Pipeline::load(&f.dir) {
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert!(e.to_string().contains(f.dir.to_str().unwrap()), "{e}");
        }
        Ok(pipeline) => {
            let doc = Document::from_text("sample", "sample.txt", SAMPLE.to_string());
            let chars: Vec<char> = SAMPLE.chars().collect();
            for fact in pipeline.analyse(&doc).facts {
                assert!(fact.start < fact.end && fact.end <= chars.len());
                assert_eq!(
                    chars[fact.start..fact.end].iter().collect::<String>(),
                    fact.text
                );
            }
        }
    }
    fs::write(&path, original).unwrap();
});
