//! The factmine command line: a thin layer over the library. `cli` holds
//! the arguments, one module a command runs them, and every failure is
//! reported here, in one place.

mod cli;
mod eval;
mod extract;
mod progress;
mod report;
mod review;
mod rules;

use clap::Parser;

/// mimalloc: facts, candidates and their strings are many small
/// allocations made and freed on every worker thread.
#[global_allocator]
static ALLOCATOR: factmine::alloc::MiMalloc = factmine::alloc::MiMalloc;

use cli::{Cli, Command, ReviewCommand, RulesCommand};
use std::fmt;
use std::process::ExitCode;

/// Why a command could not do its work: reported as `factmine: <why>`,
/// exit status 2. (A run that completes but has failed records exits 1
/// through its `Ok` status.)
#[derive(Debug)]
pub struct Fatal(pub String);

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

/// A count with its noun: "1 document", "3 documents".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a command returns: its exit status, or why it stopped.
pub type Outcome = Result<ExitCode, Fatal>;

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Extract(args) => extract::run(args),
        Command::Review(args) => match args.command {
            Some(ReviewCommand::Export { db, out }) => review::export(&db, &out),
            None => review::run(args),
        },
        Command::Rules { command } => match command {
            RulesCommand::Check { dir } => rules::check(dir.as_deref()),
            RulesCommand::Test { dir } => rules::test(dir.as_deref()),
            RulesCommand::Init { dir } => rules::init(&dir),
        },
        Command::Eval(args) => eval::run(args),
        Command::Report(args) => report::run(args),
    };
    outcome.unwrap_or_else(|fatal| {
        eprintln!("factmine: {fatal}");
        ExitCode::from(2)
    })
}
