//! The review web server: the page (HTML, CSS and JavaScript built into
//! the binary) and a small JSON API over the [`Store`]. It serves nothing
//! from the file system. Requests are handled one at a time, and each
//! decision is committed before its answer is sent.
//!
//! Safety: every response forbids inline scripts and framing (the page
//! builds its text with DOM text nodes, so article text is never markup);
//! requests must name this server as their `Host` (against DNS rebinding);
//! writes must be JSON from this origin (against cross-site posts); bodies
//! are bounded.

use super::model::{Filter, Request as Decide, Status, StoreError, Verdict};
use super::propose;
use super::store::Store;
use crate::fact::FactType;
use crate::Pipeline;
use serde_json::{json, Value};
use std::io::Read;
use std::net::SocketAddr;
use tiny_http::{Header, Method, Request, Response, Server};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// A running review session: the store, the rules, who is reviewing.
#[derive(Debug)]
pub struct App<'p> {
    /// The review database.
    pub store: Store,
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

/// Serves requests until the process is stopped.
pub fn serve(server: &Server, app: &mut App) {
    for request in server.incoming_requests() {
        handle(app, request);
    }
}

/// Answers one request.
fn handle(app: &mut App, mut request: Request) {
    let method = request.method().clone();
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let host = header(&request, "Host").unwrap_or_default();
    if !app.hosts.is_empty() && !app.hosts.contains(&host) {
        return respond_json(request, error(403, format!("unknown Host {host:?}")));
    }
    let asset = match (&method, path) {
        (Method::Get, "/") => Some((INDEX_HTML, "text/html; charset=utf-8")),
        (Method::Get, "/app.js") => Some((APP_JS, "text/javascript; charset=utf-8")),
        (Method::Get, "/app.css") => Some((APP_CSS, "text/css; charset=utf-8")),
        _ => None,
    };
    if let Some((body, kind)) = asset {
        let response = Response::from_string(body).with_header(header_of("Content-Type", kind));
        let _ = request.respond(with_safety_headers(response));
        return;
    }
    let answer = match method {
        Method::Get => get(app, path, query),
        Method::Post => match read_body(&mut request, &host) {
            Ok(body) => post(app, path, &body),
            Err(answer) => answer,
        },
        _ => error(405, "only GET and POST"),
    };
    respond_json(request, answer)
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
            "db": app.store.path().display().to_string(),
        })),
        "/api/facets" => app.store.facets().map(|f| json!(f)),
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
            app.store.documents(&filter).map(|d| json!(d))
        }
        "/api/document" => match param("doc") {
            None => return error(400, "which document? (?doc=ID)"),
            Some(doc) => app.store.document(&doc).map(|d| json!(d)),
        },
        _ => return error(404, format!("no such page: {path}")),
    };
    match result {
        Ok(v) => (200, v),
        Err(e) => e.into(),
    }
}

/// Answers a POST under `/api`.
fn post(app: &mut App, path: &str, body: &Value) -> Answer {
    let doc = match body["doc"].as_str() {
        Some(d) => d.to_string(),
        None => return error(400, "which document? (`doc` is missing)"),
    };
    let result = match path {
        "/api/decisions" => match decision_request(&doc, body) {
            Ok(request) => {
                let pipeline = app.pipeline;
                app.store
                    .decide(&app.editor, &request, |text, t, reference| {
                        propose(pipeline, text, t, reference)
                    })
                    .map(|f| json!({ "fact": f }))
            }
            Err(e) => return error(400, e),
        },
        "/api/undo" => app
            .store
            .undo(&app.editor, &doc)
            .map(|(id, fact)| json!({ "undone": id, "fact": fact })),
        "/api/done" => {
            let done = body["done"].as_bool().unwrap_or(true);
            app.store
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
            app.store.document(&doc).map(|d| {
                json!({ "value": propose(app.pipeline, text, t, super::reference_of(&d.record)) })
            })
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

/// Reads a POST body: JSON, from this origin, at most [`MAX_BODY`] bytes.
fn read_body(request: &mut Request, host: &str) -> Result<Value, Answer> {
    let content_type = header(request, "Content-Type").unwrap_or_default();
    // Media types are case-insensitive: `APPLICATION/JSON; charset=utf-8`.
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(error(415, "send JSON (Content-Type: application/json)"));
    }
    if let Some(origin) = header(request, "Origin") {
        if origin != format!("http://{host}") {
            return Err(error(403, format!("cross-origin request from {origin:?}")));
        }
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(error(413, format!("request body over {MAX_BODY} bytes")));
    }
    let mut bytes = Vec::new();
    let reader = request.as_reader();
    if let Err(e) = reader.take(MAX_BODY as u64 + 1).read_to_end(&mut bytes) {
        return Err(error(400, format!("cannot read the request body: {e}")));
    }
    if bytes.len() > MAX_BODY {
        return Err(error(413, format!("request body over {MAX_BODY} bytes")));
    }
    serde_json::from_slice(&bytes).map_err(|e| error(400, format!("body is not JSON: {e}")))
}

/// A request header's value.
fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

fn header_of(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// Adds the headers every response carries.
fn with_safety_headers<R: Read>(response: Response<R>) -> Response<R> {
    response
        .with_header(header_of(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ))
        .with_header(header_of("X-Content-Type-Options", "nosniff"))
        .with_header(header_of("X-Frame-Options", "DENY"))
        .with_header(header_of("Referrer-Policy", "no-referrer"))
        .with_header(header_of("Cache-Control", "no-store"))
}

fn respond_json(request: Request, (status, body): Answer) {
    let response = Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(header_of("Content-Type", "application/json"));
    let _ = request.respond(with_safety_headers(response));
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
