//! The review web server: the page (HTML, CSS and JavaScript built into
//! the binary) and a small JSON API over the [`Store`], on the bounded
//! HTTP server in [`super::http`]. It serves nothing from the file system.
//! Requests are read and answered on several connections at once, but use
//! the store one at a time, and each decision is committed before its
//! answer is sent.
//!
//! Safety: every response forbids inline scripts and framing (the page
//! builds its text with DOM text nodes, so article text is never markup);
//! requests must name this server as their `Host` (against DNS rebinding);
//! writes must be JSON from this origin (against cross-site posts); bodies
//! are bounded.

use super::http::{self, Handler, Limits, Request, Response};
use super::model::{Filter, Request as Decide, Status, StoreError, Verdict};
use super::propose;
use super::store::Store;
use crate::fact::FactType;
use crate::Pipeline;
use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Mutex, MutexGuard};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// A running review session: the store, the rules, who is reviewing.
#[derive(Debug)]
pub struct App<'p> {
    /// The review database, used by one request at a time.
    pub store: Mutex<Store>,
    /// The rules, for proposing values of new spans.
    pub pipeline: &'p Pipeline,
    /// The editor's name, recorded with every decision.
    pub editor: String,
    /// `Host` header values accepted; empty accepts any (an explicit
    /// non-loopback `--bind`).
    pub hosts: Vec<String>,
}

/// An answer: status and JSON body.
type Answer = (u16, Value);

fn error(status: u16, message: impl std::fmt::Display) -> Answer {
    (status, json!({ "error": message.to_string() }))
}

impl From<StoreError> for Answer {
    fn from(e: StoreError) -> Answer {
        match e {
            StoreError::NotFound(_) => error(404, e),
            StoreError::Invalid(_) => error(400, e),
            StoreError::Db(_) | StoreError::Corrupt(_) => error(500, e),
        }
    }
}

/// The `Host` values a server bound to `addr` answers to.
pub fn loopback_hosts(addr: SocketAddr) -> Vec<String> {
    vec![format!("localhost:{}", addr.port()), addr.to_string()]
}

/// Serves the review page from `listener` until the process is stopped.
pub fn serve(listener: TcpListener, app: &App) {
    http::serve(
        listener,
        &Limits {
            max_body: MAX_BODY,
            ..Limits::default()
        },
        app,
    );
}

impl App<'_> {
    /// The store, for one request.
    fn store(&self) -> MutexGuard<'_, Store> {
        // A request that panicked left no transaction open (rusqlite rolls
        // back on drop), so the store is still sound.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Handler for App<'_> {
    fn answer(&self, request: &Request) -> Response {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        let host = request.header("Host").unwrap_or_default();
        if !self.hosts.is_empty() && !self.hosts.iter().any(|h| h == host) {
            return json_response(error(403, format!("unknown Host {host:?}")));
        }
        let asset = match (request.method.as_str(), path) {
            ("GET", "/") => Some((INDEX_HTML, "text/html; charset=utf-8")),
            ("GET", "/app.js") => Some((APP_JS, "text/javascript; charset=utf-8")),
            ("GET", "/app.css") => Some((APP_CSS, "text/css; charset=utf-8")),
            _ => None,
        };
        if let Some((body, kind)) = asset {
            return response(200, kind, body.as_bytes().to_vec());
        }
        json_response(match request.method.as_str() {
            "GET" => get(self, path, query),
            "POST" => match read_body(request, host) {
                Ok(body) => post(self, path, &body),
                Err(answer) => answer,
            },
            _ => error(405, "only GET and POST"),
        })
    }

    fn refuse(&self, status: u16, message: &str) -> Response {
        json_response(error(status, message))
    }
}

/// Answers a GET under `/api`.
fn get(app: &App, path: &str, query: &str) -> Answer {
    let params = parse_query(query);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let result = match path {
        "/api/session" => Ok(json!({
            "editor": app.editor,
            "db": app.store().path().display().to_string(),
        })),
        "/api/facets" => app.store().facets().map(|f| json!(f)),
        "/api/documents" => {
            let fact_type = match param("type").map(|t| FactType::parse(&t).ok_or(t)) {
                Some(Err(t)) => return error(400, format!("unknown type {t:?}")),
                Some(Ok(t)) => Some(t),
                None => None,
            };
            let status = match param("status").map(|s| Status::parse(&s).ok_or(s)) {
                Some(Err(s)) => return error(400, format!("unknown status {s:?}")),
                Some(Ok(s)) => Some(s),
                None => None,
            };
            let filter = Filter {
                ics: param("ics"),
                fact_type,
                status,
                rule: param("rule"),
            };
            app.store().documents(&filter).map(|d| json!(d))
        }
        "/api/document" => match param("doc") {
            None => return error(400, "which document? (?doc=ID)"),
            Some(doc) => app.store().document(&doc).map(|d| json!(d)),
        },
        _ => return error(404, format!("no such page: {path}")),
    };
    match result {
        Ok(v) => (200, v),
        Err(e) => e.into(),
    }
}

/// Answers a POST under `/api`.
fn post(app: &App, path: &str, body: &Value) -> Answer {
    let doc = match body["doc"].as_str() {
        Some(d) => d.to_string(),
        None => return error(400, "which document? (`doc` is missing)"),
    };
    let result = match path {
        "/api/decisions" => match decision_request(&doc, body) {
            Ok(request) => {
                let pipeline = app.pipeline;
                app.store()
                    .decide(&app.editor, &request, |text, t, reference| {
                        propose(pipeline, text, t, reference)
                    })
                    .map(|f| json!({ "fact": f }))
            }
            Err(e) => return error(400, e),
        },
        "/api/undo" => app
            .store()
            .undo(&app.editor, &doc)
            .map(|(id, fact)| json!({ "undone": id, "fact": fact })),
        "/api/done" => {
            let done = body["done"].as_bool().unwrap_or(true);
            app.store()
                .set_done(&app.editor, &doc, done)
                .map(|()| json!({ "doc": doc, "done": done }))
        }
        "/api/propose" => {
            let (Some(t), Some(text)) = (
                body["type"].as_str().and_then(FactType::parse),
                body["text"].as_str(),
            ) else {
                return error(400, "`type` and `text` are needed");
            };
            let reference = app
                .store()
                .document(&doc)
                .map(|d| super::reference_of(&d.record));
            // The rules run without the store held.
            reference.map(|r| json!({ "value": propose(app.pipeline, text, t, r) }))
        }
        _ => return error(404, format!("no such endpoint: {path}")),
    };
    match result {
        Ok(v) => (200, v),
        Err(e) => e.into(),
    }
}

/// Reads a decision from a request body.
fn decision_request(doc: &str, body: &Value) -> Result<Decide, String> {
    let verdict = body["decision"]
        .as_str()
        .and_then(Verdict::parse)
        .ok_or("`decision` must be accept, reject, correct or add")?;
    let fact_type = match &body["type"] {
        Value::Null => None,
        t => Some(
            t.as_str()
                .and_then(FactType::parse)
                .ok_or_else(|| format!("unknown type {t}"))?,
        ),
    };
    let offset = |name: &str| match &body[name] {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| format!("`{name}` must be a code-point offset")),
    };
    let span = match (offset("start")?, offset("end")?) {
        (Some(s), Some(e)) => Some((s, e)),
        (None, None) => None,
        _ => return Err("`start` and `end` go together".into()),
    };
    Ok(Decide {
        doc: doc.to_string(),
        fact: body["fact"].as_str().map(str::to_string),
        verdict,
        fact_type,
        span,
        value: match &body["value"] {
            Value::Null => None,
            v => Some(v.clone()),
        },
    })
}

/// Reads a POST body: JSON, from this origin (its size is bounded by the
/// HTTP layer's [`MAX_BODY`]).
fn read_body(request: &Request, host: &str) -> Result<Value, Answer> {
    let content_type = request.header("Content-Type").unwrap_or_default();
    // Media types are case-insensitive: `APPLICATION/JSON; charset=utf-8`.
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(error(415, "send JSON (Content-Type: application/json)"));
    }
    if let Some(origin) = request.header("Origin") {
        if origin != format!("http://{host}") {
            return Err(error(403, format!("cross-origin request from {origin:?}")));
        }
    }
    serde_json::from_slice(&request.body).map_err(|e| error(400, format!("body is not JSON: {e}")))
}

/// A response with the headers every response carries.
fn response(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type", content_type.to_string()),
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                 img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                    .into(),
            ),
            ("X-Content-Type-Options", "nosniff".into()),
            ("X-Frame-Options", "DENY".into()),
            ("Referrer-Policy", "no-referrer".into()),
            ("Cache-Control", "no-store".into()),
        ],
        body,
    }
}

fn json_response((status, body): Answer) -> Response {
    response(status, "application/json", body.to_string().into_bytes())
}

/// Splits a query string into decoded name/value pairs
/// (`application/x-www-form-urlencoded`, as browsers write it).
fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            parse_query("doc=news%2Fwest-suffolk&ics=Frimley+ICS&x&p=%C2%A3"),
            vec![
                ("doc".into(), "news/west-suffolk".into()),
                ("ics".into(), "Frimley ICS".into()),
                ("x".into(), String::new()),
                ("p".into(), "£".into()),
            ]
        );
        // Broken escapes stay as written; bytes that are not UTF-8 become U+FFFD.
        assert_eq!(
            parse_query("a=%zz&b=%ff"),
            vec![("a".into(), "%zz".into()), ("b".into(), "\u{fffd}".into())]
        );
    }

    #[test]
    fn hosts_for_a_loopback_server() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            loopback_hosts(addr),
            vec!["localhost:8080", "127.0.0.1:8080"]
        );
        let addr: SocketAddr = "[::1]:9000".parse().unwrap();
        assert_eq!(loopback_hosts(addr), vec!["localhost:9000", "[::1]:9000"]);
    }
}
