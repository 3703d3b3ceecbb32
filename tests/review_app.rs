//! `factmine review`: every API endpoint over HTTP, decisions surviving a
//! killed server and a re-run with new rules, the export read back by
//! `factmine eval`, and the server's safety rules.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_factmine");

/// The article every test reviews: eight facts, published 2023-04-11.
const WARD: &str = "---\npublished: 2023-04-11\n---\nTrust opens a virtual ward\n\n\
North Bristol NHS Trust opened a virtual ward last November. It has 40 beds and cut \
readmissions by 41 percent, NHS England said.\n\nThe ward uses remote monitoring from Doccla.\n";

/// The article's text as the pipeline sees it (front matter removed).
fn ward_text() -> &'static str {
    WARD.split_once("---\n")
        .unwrap()
        .1
        .split_once("---\n")
        .unwrap()
        .1
}

/// A folder with the article, and a path for the database.
fn workspace() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    std::fs::write(articles.join("ward.txt"), WARD).unwrap();
    let db = dir.path().join("review.sqlite");
    (dir, articles, db)
}

/// A running `factmine review` server, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    addr: String,
    /// What it printed before it started serving.
    log: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["review", "--port", "0", "--editor", "tester"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = String::new();
        while let Some(Ok(line)) = lines.next() {
            log.push_str(&line);
            log.push('\n');
            if let Some((_, rest)) = line.split_once(" at http://") {
                let addr = rest.split('/').next().unwrap().to_string();
                return Server { child, addr, log };
            }
        }
        let status = child.wait().unwrap();
        panic!("the server stopped ({status}) before serving: {log}");
    }

    /// Sends a raw request and returns the status, headers and body.
    fn raw(&self, request: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8(response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        (status, head.to_string(), body.to_string())
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        ));
        (status, serde_json::from_str(&body).unwrap())
    }

    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let (status, _, answer) = self.raw(&format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        ));
        (status, serde_json::from_str(&answer).unwrap())
    }

    /// The document's facts: (text, status) in text order.
    fn statuses(&self) -> Vec<(String, String)> {
        let (_, doc) = self.get("/api/document?doc=ward");
        doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let span = if f["decision"].is_null() {
                    &f["extracted"]
                } else {
                    &f["decision"]
                };
                (
                    span["text"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The id of the fact whose text is `text`.
    fn fact(&self, text: &str) -> String {
        let (_, doc) = self.get("/api/document?doc=ward");
        doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["extracted"]["text"] == text)
            .unwrap_or_else(|| panic!("no fact {text:?}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn decide(&self, text: &str, decision: &str) -> Value {
        let (status, answer) = self.post(
            "/api/decisions",
            &json!({"doc": "ward", "fact": self.fact(text), "decision": decision}),
        );
        assert_eq!(status, 200, "{answer}");
        answer["fact"].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn code_points(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).unwrap();
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

fn factmine(args: &[&str]) -> (i32, String, String) {
    let out = common::run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn read_endpoints_show_the_extracted_facts_with_the_ids_extract_gives() {
    let (dir, articles, db) = workspace();
    let server = Server::start(&[articles.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert!(server.log.contains(
        "1 document into", // the import line
    ));
    assert!(server
        .log
        .contains("8 new facts, 0 unchanged (decisions kept), 0 no longer found"));

    let (status, session) = server.get("/api/session");
    assert_eq!(status, 200);
    assert_eq!(session["editor"], "tester");

    let (_, facets) = server.get("/api/facets");
    assert_eq!(
        facets["types"],
        json!(["organisation", "technology", "date", "metric"])
    );
    assert_eq!(
        facets["statuses"],
        json!(["unreviewed", "accepted", "rejected", "corrected", "added"])
    );
    assert_eq!(facets["ics"], json!([]));
    assert!(facets["rules"]
        .as_array()
        .unwrap()
        .contains(&json!("metric.percent")));

    let (_, docs) = server.get("/api/documents");
    assert_eq!(
        docs,
        json!([{"doc": "ward", "title": "Trust opens a virtual ward", "source": articles.join("ward.txt").display().to_string(),
                "facts": 8, "reviewed": 0, "matching": 8, "done": false}])
    );
    let (_, metrics) = server.get("/api/documents?type=metric&status=unreviewed");
    assert_eq!(metrics[0]["matching"], 2);
    let (_, rule) = server.get("/api/documents?rule=metric.percent");
    assert_eq!(rule[0]["matching"], 1);
    let (status, bad) = server.get("/api/documents?type=person");
    assert_eq!(
        (status, bad),
        (400, json!({"error": "unknown type \"person\""}))
    );

    let (status, doc) = server.get("/api/document?doc=ward");
    assert_eq!(status, 200);
    assert_eq!(doc["text"], ward_text());
    assert_eq!(doc["record"]["published"], "2023-04-11");
    let texts: Vec<&str> = doc["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["extracted"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "North Bristol NHS Trust",
            "virtual ward",
            "last November",
            "40 beds",
            "41 percent",
            "NHS England",
            "remote monitoring",
            "Doccla"
        ]
    );
    // The same ids as `factmine extract`.
    let (code, facts, _) = factmine(&["extract", articles.to_str().unwrap(), "--out", "-", "-q"]);
    assert_eq!(code, 0);
    let extracted: Vec<Value> = facts
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    let reviewed: Vec<Value> = doc["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].clone())
        .collect();
    assert_eq!(reviewed, extracted);

    let (status, missing) = server.get("/api/document?doc=nope");
    assert_eq!(
        (status, missing),
        (404, json!({"error": "no document \"nope\""}))
    );
    let (status, _) = server.get("/api/nothing");
    assert_eq!(status, 404);
    drop(dir);
}

#[test]
fn decisions_are_saved_corrected_undone_and_exported_as_gold_that_eval_scores() {
    let (dir, articles, db) = workspace();
    let server = Server::start(&[articles.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    let text = ward_text();

    let accepted = server.decide("41 percent", "accept");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decision"]["editor"], "tester");
    assert_eq!(accepted["decision"]["decision"], "accept");
    assert_eq!(
        server.decide("virtual ward", "reject")["status"],
        "rejected"
    );

    // Correct a value; the span and type stay.
    let nhse = server.fact("NHS England");
    let (status, corrected) = server.post(
        "/api/decisions",
        &json!({"doc": "ward", "fact": nhse, "decision": "correct",
                "value": {"canonical": "NHS England", "kind": "national"}}),
    );
    assert_eq!(status, 200, "{corrected}");
    let (start, end) = code_points(text, "NHS England");
    assert_eq!(
        corrected["fact"]["decision"],
        json!({"decision": "correct", "editor": "tester", "at": corrected["fact"]["decision"]["at"],
               "seq": 3, "type": "organisation", "start": start, "end": end, "text": "NHS England",
               "value": {"canonical": "NHS England", "kind": "national"}})
    );

    // A span widened by the white space before it is trimmed back: the
    // correction keeps the span, and with it the value.
    let beds = server.fact("40 beds");
    let (s0, e0) = code_points(text, "40 beds");
    let (status, same) = server.post(
        "/api/decisions",
        &json!({"doc": "ward", "fact": beds, "decision": "correct", "start": s0 - 1, "end": e0}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        (
            &same["fact"]["decision"]["start"],
            &same["fact"]["decision"]["text"]
        ),
        (&json!(s0), &json!("40 beds"))
    );
    assert_eq!(
        same["fact"]["decision"]["value"],
        json!({"number": 40, "qualifier": null, "unit": "beds"})
    );

    // Add a missed fact: the value is proposed; the text comes from the document.
    let (s2, e2) = code_points(text, "readmissions");
    let (status, added) = server.post(
        "/api/decisions",
        &json!({"doc": "ward", "decision": "add", "type": "technology", "start": s2 - 1, "end": e2 + 1}),
    );
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["fact"]["status"], "added");
    assert_eq!(added["fact"]["extracted"], Value::Null);
    assert_eq!(
        added["fact"]["decision"]["text"], "readmissions",
        "white space trimmed"
    );
    assert_eq!(
        added["fact"]["decision"]["value"],
        json!({"canonical": "readmissions", "category": null})
    );
    let added_id = added["fact"]["id"].as_str().unwrap().to_string();
    assert!(added_id.starts_with("added-"));

    // Values proposed for a span as the editor selects it.
    let (_, proposed) = server.post(
        "/api/propose",
        &json!({"doc": "ward", "type": "date", "text": "last November"}),
    );
    assert_eq!(
        proposed,
        json!({"value": {"kind": "point", "reference": "published", "value": "2022-11"}})
    );
    let (_, proposed) = server.post(
        "/api/propose",
        &json!({"doc": "ward", "type": "metric", "text": "£4.1 million"}),
    );
    assert_eq!(proposed["value"]["number"], 4_100_000);

    // Undo walks back this editor's decisions, newest first.
    let (status, undone) = server.post("/api/undo", &json!({"doc": "ward"}));
    assert_eq!(
        (status, &undone["undone"], &undone["fact"]),
        (200, &json!(added_id), &Value::Null)
    );
    let (status, undone) = server.post("/api/undo", &json!({"doc": "ward"}));
    assert_eq!(status, 200);
    assert_eq!(undone["fact"]["extracted"]["text"], "40 beds");
    assert_eq!(undone["fact"]["status"], "unreviewed");
    assert_eq!(
        server.statuses(),
        s(&[
            ("North Bristol NHS Trust", "unreviewed"),
            ("virtual ward", "rejected"),
            ("last November", "unreviewed"),
            ("40 beds", "unreviewed"),
            ("41 percent", "accepted"),
            ("NHS England", "corrected"),
            ("remote monitoring", "unreviewed"),
            ("Doccla", "unreviewed"),
        ])
    );

    // Bad requests are refused with the reason.
    let bad = |body: Value| server.post("/api/decisions", &body);
    assert_eq!(
        bad(json!({"doc": "ward", "fact": nhse, "decision": "maybe"})),
        (
            400,
            json!({"error": "`decision` must be accept, reject, correct or add"})
        )
    );
    assert_eq!(
        bad(json!({"doc": "ward", "decision": "add", "type": "date", "start": 5, "end": 9999})),
        (
            400,
            json!({"error": format!("span 5..9999 is not within the text (0..{})", text.chars().count())})
        )
    );
    assert_eq!(
        bad(json!({"doc": "ward", "fact": "0000", "decision": "accept"})),
        (404, json!({"error": "no fact \"0000\" in \"ward\""}))
    );
    assert_eq!(
        bad(json!({"doc": "ward", "decision": "add", "start": 1, "end": 3})),
        (400, json!({"error": "a new fact needs a `type`"}))
    );

    // Done only when every fact is reviewed.
    let (status, refused) = server.post("/api/done", &json!({"doc": "ward"}));
    assert_eq!(
        (status, refused),
        (
            400,
            json!({"error": "5 facts of \"ward\" are not reviewed yet"})
        )
    );
    for t in [
        "North Bristol NHS Trust",
        "last November",
        "40 beds",
        "remote monitoring",
        "Doccla",
    ] {
        server.decide(t, "accept");
    }
    let (status, _) = server.post(
        "/api/decisions",
        &json!({"doc": "ward", "decision": "add", "type": "technology", "start": s2, "end": e2}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        server.post("/api/done", &json!({"doc": "ward", "done": true})),
        (200, json!({"doc": "ward", "done": true}))
    );
    let (_, docs) = server.get("/api/documents");
    assert_eq!(
        (&docs[0]["done"], &docs[0]["reviewed"], &docs[0]["facts"]),
        (&json!(true), &json!(9), &json!(9))
    );

    // Export: the kept facts as a gold file that eval reads.
    let gold = dir.path().join("gold");
    let (code, _, err) = factmine(&[
        "review",
        "export",
        "--db",
        db.to_str().unwrap(),
        "--out",
        gold.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 gold file (8 facts)"), "{err}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(gold.join("ward.json")).unwrap()).unwrap();
    assert_eq!(file["doc"], "ward");
    assert_eq!(file["published"], "2023-04-11");
    assert_eq!(file["reviewed"]["by"], "tester");
    assert_eq!(
        file["sections"],
        json!([{"kind": "title", "title": "Trust opens a virtual ward", "ics": null},
               {"kind": "intro", "title": null, "ics": null}])
    );
    let exported: Vec<(&str, &str)> = file["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["type"].as_str().unwrap(), f["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        exported,
        [
            ("organisation", "North Bristol NHS Trust"),
            ("date", "last November"),
            ("metric", "40 beds"),
            ("technology", "readmissions"),
            ("metric", "41 percent"),
            ("organisation", "NHS England"),
            ("technology", "remote monitoring"),
            ("organisation", "Doccla"),
        ]
    );
    let (code, out, err) = factmine(&[
        "eval",
        "--gold",
        gold.to_str().unwrap(),
        articles.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let scores: Value = serde_json::from_str(&out).unwrap();
    // 8 extracted; gold has 7 of them plus the added one; "virtual ward" was rejected.
    assert_eq!(scores["scores"]["strict.all.p"], 0.875);
    assert_eq!(scores["scores"]["strict.all.r"], 0.875);
    let findings: Vec<(&str, &str)> = scores["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let k = f["kind"].as_str().unwrap();
            let side = if k == "missed" { "gold" } else { "predicted" };
            (k, f[side]["text"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        findings,
        [("missed", "readmissions"), ("spurious", "virtual ward")]
    );
}

#[test]
fn decisions_survive_a_killed_server_and_a_rerun_with_new_rules() {
    let (dir, articles, db) = workspace();
    let dbs = db.to_str().unwrap();
    let server = Server::start(&[articles.to_str().unwrap(), "--db", dbs]);
    for (t, d) in [
        ("North Bristol NHS Trust", "accept"),
        ("virtual ward", "accept"),
        ("last November", "accept"),
        ("40 beds", "reject"),
        ("41 percent", "accept"),
        ("NHS England", "accept"),
        ("remote monitoring", "accept"),
        ("Doccla", "accept"),
    ] {
        server.decide(t, d);
    }
    assert_eq!(server.post("/api/done", &json!({"doc": "ward"})).0, 200);
    drop(server); // SIGKILL, no clean shutdown

    let server = Server::start(&["--db", dbs]);
    let before = server.statuses();
    assert_eq!(before.len(), 8);
    assert_eq!(before.iter().filter(|(_, st)| st == "accepted").count(), 7);
    assert_eq!(before[3], ("40 beds".to_string(), "rejected".to_string()));
    drop(server);

    // New rules: Doccla is no longer known as a company (only as its
    // product, a technology); "readmissions" becomes a technology.
    let rules = dir.path().join("rules");
    common::copy_dir(Path::new("rules"), &rules);
    let orgs = rules.join("gazetteers/organisations.tsv");
    let kept: String = std::fs::read_to_string(&orgs)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("Doccla\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&orgs, kept).unwrap();
    let techs = rules.join("gazetteers/technologies.tsv");
    let mut t = std::fs::read_to_string(&techs).unwrap();
    t.push_str("readmissions\tother\t\tauto\n");
    std::fs::write(&techs, t).unwrap();
    let (code, _, err) = factmine(&[
        "review",
        articles.to_str().unwrap(),
        "--db",
        dbs,
        "--rules",
        rules.to_str().unwrap(),
        "--no-serve",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("ward is open again: the rules found facts not reviewed yet"),
        "{err}"
    );
    assert!(
        err.contains("2 new facts, 7 unchanged (decisions kept), 1 no longer found"),
        "{err}"
    );

    let server = Server::start(&["--db", dbs]);
    assert_eq!(
        server.statuses(),
        s(&[
            ("North Bristol NHS Trust", "accepted"),
            ("virtual ward", "accepted"),
            ("last November", "accepted"),
            ("40 beds", "rejected"),
            ("readmissions", "unreviewed"),
            ("41 percent", "accepted"),
            ("NHS England", "accepted"),
            ("remote monitoring", "accepted"),
            ("Doccla", "unreviewed"),
            ("Doccla", "accepted"),
        ])
    );
    let (_, doc) = server.get("/api/document?doc=ward");
    let doccla: Vec<(&Value, &Value, &Value)> = doc["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == server.fact("Doccla") || f["decision"]["text"] == "Doccla")
        .map(|f| {
            (
                &f["extracted"]["type"],
                &f["decision"]["type"],
                &f["status"],
            )
        })
        .collect();
    assert_eq!(
        doccla,
        [
            (&json!("technology"), &Value::Null, &json!("unreviewed")),
            (&Value::Null, &json!("organisation"), &json!("accepted")),
        ],
        "the new fact to review, and the decision on the one the rules lost"
    );
    assert_eq!(doc["done"], Value::Null);
}

#[test]
fn the_server_refuses_what_it_must() {
    let (_dir, articles, db) = workspace();
    let server = Server::start(&[articles.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    let host = server.addr.clone();
    let get = |path: &str, host: &str| {
        server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
    };
    // Only the page's own three files are served; nothing from disk.
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../Cargo.toml",
        "/rules/sections.tsv",
        "/index.html",
    ] {
        assert_eq!(get(path, &host).0, 404, "{path}");
    }
    let (status, head, page) = get("/", &host);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"));
    assert!(head.contains("X-Content-Type-Options: nosniff"));
    assert!(page.contains("<script src=\"/app.js\" defer></script>"));
    assert_eq!(page.matches("<script").count(), 1, "no inline script");
    // Requests for another host (DNS rebinding) are refused.
    assert_eq!(get("/api/session", "attacker.example").0, 403);
    // Writes must be JSON, from this origin, and small.
    let post = |headers: &str, body: &str| {
        server.raw(&format!(
            "POST /api/done HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    };
    assert_eq!(
        post("Content-Type: text/plain\r\n", "{\"doc\":\"ward\"}").0,
        415
    );
    assert_eq!(
        post(
            "Content-Type: application/json\r\nOrigin: http://attacker.example\r\n",
            "{\"doc\":\"ward\"}"
        )
        .0,
        403
    );
    let big = format!("{{\"doc\":\"{}\"}}", "x".repeat(70_000));
    let (status, _, body) = post("Content-Type: application/json\r\n", &big);
    assert_eq!(
        (status, body),
        (
            413,
            json!({"error": "request body over 65536 bytes"}).to_string()
        )
    );
    assert_eq!(
        post("Content-Type: application/json\r\n", "{not json").0,
        400
    );
    // Media types are case-insensitive, parameters allowed; JSON/jsonp is not JSON.
    assert_eq!(
        post(
            "Content-Type: APPLICATION/JSON; charset=utf-8\r\n",
            "{not json"
        )
        .0,
        400
    );
    assert_eq!(
        post("Content-Type: application/jsonp\r\n", "{\"doc\":\"ward\"}").0,
        415
    );
    // Article text travels as JSON data, unchanged.
    let (_, doc) = server.get("/api/document?doc=ward");
    assert_eq!(doc["text"], ward_text());
}

#[test]
fn only_an_explicit_bind_serves_beyond_loopback_and_it_warns() {
    let (_dir, articles, db) = workspace();
    let dbs = db.to_str().unwrap();
    let local = Server::start(&[articles.to_str().unwrap(), "--db", dbs]);
    assert!(local.addr.starts_with("127.0.0.1:"), "{}", local.log);
    assert!(!local.log.contains("warning"), "{}", local.log);
    drop(local);
    // No request is sent to it: the test only reads what it says.
    let open = Server::start(&["--db", dbs, "--bind", "0.0.0.0"]);
    assert!(
        open.log.contains(
            "factmine: warning: serving on 0.0.0.0, not a loopback address: anyone who can reach it can read and change this review"
        ),
        "{}",
        open.log
    );
    drop(open);
    let (code, _, err) = factmine(&["review", "--db", dbs, "--bind", "my.host"]);
    assert_eq!(
        (code, err.trim()),
        (2, "error: invalid value 'my.host' for '--bind <BIND>': \"my.host\" is not an IP address\n\nFor more information, try '--help'.")
    );
    let (code, _, err) = factmine(&["review", "export", "--db", "no-such.sqlite", "--out", "x"]);
    assert_eq!(
        (code, err.trim()),
        (2, "factmine: no-such.sqlite: no such review database")
    );
}
