//! Compiles the bundled rule folder into the binary: `rules/` is listed
//! file by file, each included as bytes, so that an installed factmine
//! runs anywhere with the rules it was built with.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut paths = Vec::new();
    files(&rules, &mut paths);
    let mut code =
        String::from("/// The bundled rule folder: each file's path (with `/`) and bytes.\n");
    code.push_str("pub const FILES: &[(&str, &[u8])] = &[\n");
    for path in &paths {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .strip_prefix(&rules)
            .expect("under rules/")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a string");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("builtin_rules.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
