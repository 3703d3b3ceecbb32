//! Helpers shared by the integration tests and the benchmark. Each test
//! crate uses some of them.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// The project folder.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The built `factmine` binary, to run in the project folder.
pub fn factmine() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_factmine"));
    command.current_dir(root());
    command
}

/// Runs the binary with these arguments and collects what it printed.
pub fn run(args: &[&str]) -> Output {
    factmine().args(args).output().expect("the binary runs")
}

/// The lines of a text file.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(String::from)
        .collect()
}

/// A JSON-lines file, one value a line.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    lines(path)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Copies a folder tree (a rule folder, say) so a test can change the copy.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
