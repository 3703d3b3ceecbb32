//! `factmine rules check`: the bundled rules are clean, and each kind of
//! mistake is reported with its file and line.

use std::path::Path;

mod common;
use common::copy_dir;

fn check(dir: &Path) -> (Option<i32>, String) {
    let out = common::factmine()
        .args(["rules", "check", dir.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn append(path: &Path, text: &str) -> usize {
    let mut body = std::fs::read_to_string(path).unwrap();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str(text);
    std::fs::write(path, &body).unwrap();
    body.lines().count()
}

#[test]
fn the_bundled_rules_are_clean() {
    let (code, out) = check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("0 errors, 0 warnings: "), "{out}");
}

#[test]
fn mistakes_are_reported_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rules");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &dir);
    let orgs = dir.join("gazetteers/organisations.tsv");
    let twice = append(
        &orgs,
        "Northbridge Digital Ltd\tcompany\tNDL\tauto\t\nNorthbridge Data\tcompany\tNDL\tauto\t\n",
    );
    let stop_line = append(&orgs, "What Good Looks Like\tother\t\tauto\t\n");
    let dates = dir.join("patterns/dates.rules");
    let bad_example = append(
        &dates,
        "[rule date.fortnight_word]\nkind = duration\npattern = \\bfortnightly\\b\nexample = met fortnightly => fortnightly => P2W\n",
    );
    let untested = append(&dates, "[rule date.untested]\npattern = \\bQQQQ\\b\n");
    let (code, out) = check(&dir);
    assert_eq!(code, Some(1), "{out}");
    let (orgs_at, dates) = (orgs.display().to_string(), dates.display().to_string());
    assert!(
        out.contains(&format!(
            "{orgs_at}:{twice}: error: \"NDL\" (Northbridge Data) is also a name of \"Northbridge Digital Ltd\" ({orgs_at}:{})",
            twice - 1
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{orgs_at}:{stop_line}: error: \"what good looks like\" is also a stop phrase"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{dates}:{bad_example}: error: rule date.fortnight_word: \"met fortnightly\": no fact \"fortnightly\"; found []")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{dates}:{}: warning: rule date.untested has no example",
            untested - 1
        )),
        "{out}"
    );
    assert!(out.contains("\n3 errors, 1 warnings: "), "{out}");

    // A malformed line stops loading: it is named, and the check fails.
    append(&orgs, "Only a name\n");
    let (code, out) = check(&dir);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("organisations.tsv:")
            && out.contains("expected 2 to 7 tab-separated fields, found 1"),
        "{out}"
    );
}

/// What `rules check` calls a knowledge-base error stops `extract` before
/// any work, and a faulty definition is reported at its own line with only
/// the text around the fault.
#[test]
fn extract_stops_on_the_errors_rules_check_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("rules");
    copy_dir(&common::root().join("rules"), &rules);
    let line = append(
        &rules.join("gazetteers/technologies.tsv"),
        "tablet computer\tcare technology\tiPad\tauto\n",
    );
    let (code, report) = check(&rules);
    assert_eq!(code, Some(1));
    let out = tmp.path().join("out");
    let run = common::run(&[
        "extract",
        "corpus/news",
        "--rules",
        rules.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let expected = format!(
        "technologies.tsv:{line}: error: \"iPad\" (tablet computer) is also a name of \"iPad\""
    );
    assert!(
        stderr.contains(&expected) && report.contains(&expected),
        "{stderr}\n{report}"
    );
    assert!(!out.exists());

    // A bad definition: named at its line, with the text around the fault.
    let rules2 = tmp.path().join("rules2");
    copy_dir(&common::root().join("rules"), &rules2);
    let metrics = rules2.join("patterns/metrics.rules");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let at = text.find("\nDIGITS = ").unwrap() + 1;
    let line = text[..at].lines().count() + 1;
    std::fs::write(
        &metrics,
        text.replacen("DIGITS = \\d{1,3}", "DIGITS = \\d{1,3}(?:", 1),
    )
    .unwrap();
    let (code, report) = check(&rules2);
    assert_eq!(code, Some(1));
    assert!(
        report.contains(&format!(
            "metrics.rules:{line}: bad regex in definition DIGITS: unclosed group at "
        )),
        "{report}"
    );
    assert!(report.len() < 400, "{report}");
}
