//! The examples written in the rule files hold for the bundled rules.

use factmine::checks::run_examples;
use factmine::Pipeline;
use std::path::Path;

#[test]
fn every_rule_example_holds() {
    let pipeline = Pipeline::load(Path::new("rules")).expect("bundled rules load");
    let (failures, count) = run_examples(&pipeline);
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "{} of {count} examples fail:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(count >= 80, "only {count} examples");
}
