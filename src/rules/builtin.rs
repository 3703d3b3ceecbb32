//! The rules factmine was built with, compiled into the binary: used when
//! no rule folder is given, and written out by `factmine rules init` for
//! editing.

use crate::text::Fnv;
use std::io;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Writes the built-in rule folder into `dir`, which must not exist or be
/// empty.
pub fn write_to(dir: &Path) -> io::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{}: not empty; give a new folder", dir.display()),
        ));
    }
    for (name, bytes) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

/// A folder holding the built-in rules, made once per version of them in
/// the user's cache (`$XDG_CACHE_HOME`, `~/.cache`, else the temporary
/// folder) and reused.
pub fn folder() -> io::Result<PathBuf> {
    let mut hash = Fnv::new();
    for (name, bytes) in FILES {
        hash.field(name);
        hash.write(bytes);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("factmine");
    let dir = base.join(format!("rules-{:016x}", hash.finish()));
    if dir.is_dir() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&base)?;
    // Written whole beside its place, then renamed: a run never sees half.
    let part = tempfile::tempdir_in(&base)?;
    let staged = part.path().join("rules");
    write_to(&staged)?;
    match std::fs::rename(&staged, &dir) {
        Ok(()) => Ok(dir),
        // Another run put it there first.
        Err(_) if dir.is_dir() => Ok(dir),
        Err(e) => Err(e),
    }
}
