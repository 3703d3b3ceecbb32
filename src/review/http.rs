//! A small HTTP/1.1 server, all the review page needs and no more: a fixed
//! pool of connection workers behind a bounded queue, keep-alive with an
//! idle timeout, a deadline for each request's head and body, TCP_NODELAY
//! and one write per response.
//!
//! Bounds: at most [`Limits::workers`] connections are served at once and
//! [`Limits::queue`] wait; a connection beyond both is answered 503 and
//! closed, so the number of threads never grows with the number of
//! clients. A kept-alive connection gives its worker up when it has been
//! idle for [`Limits::idle_timeout`], or at once when another connection
//! is waiting. A request must arrive whole (head and body) within
//! [`Limits::request_timeout`] of its first byte (a client sending one byte
//! a second is answered 408), its head within [`Limits::max_head`] bytes
//! (431) and its body, sent with `Content-Length`, within
//! [`Limits::max_body`] (413, without reading it).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, TrySendError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How much the server takes on; see the module documentation.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once (one thread each).
    pub workers: usize,
    /// Accepted connections waiting for a worker.
    pub queue: usize,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a request may take to arrive, from its first byte.
    pub request_timeout: Duration,
    /// The largest request head (request line and headers), in bytes.
    pub max_head: usize,
    /// The largest request body, in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            workers: 8,
            queue: 32,
            idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_head: 16 * 1024,
            max_body: 64 * 1024,
        }
    }
}

/// How often an idle connection looks whether another one is waiting.
const IDLE_POLL: Duration = Duration::from_millis(100);

/// How long a refused request's remaining bytes are read before closing.
const LINGER: Duration = Duration::from_secs(2);

/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

/// A request as received: method, target, headers and body.
#[derive(Debug)]
pub struct Request {
    /// The method, as sent (`GET`, `POST`).
    pub method: String,
    /// The request target: path and query string.
    pub target: String,
    /// Header names and values, in the order sent (values not UTF-8 are
    /// read lossily).
    pub headers: Vec<(String, String)>,
    /// The body (empty without `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response: status, headers other than the framing ones, and body.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers; `Content-Length` and `Connection` are added when sent.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What answers requests. `refuse` words the server's own refusals
/// (timeouts, oversized or malformed requests, a full queue).
pub trait Handler: Sync {
    /// The answer to a request received whole.
    fn answer(&self, request: &Request) -> Response;
    /// The answer the server sends when it refuses a request itself.
    fn refuse(&self, status: u16, message: &str) -> Response;
}

/// Serves connections from `listener` until the process stops (or the
/// listener fails for good). Connections are served on `limits.workers`
/// threads.
pub fn serve(listener: TcpListener, limits: &Limits, handler: &impl Handler) {
    let (queue, waiting_streams) = mpsc::sync_channel::<TcpStream>(limits.queue);
    let waiting_streams = Mutex::new(waiting_streams);
    let waiting = AtomicUsize::new(0);
    let busy = render(&handler.refuse(503, "the server is busy; try again"), false);
    std::thread::scope(|scope| {
        for _ in 0..limits.workers.max(1) {
            scope.spawn(|| loop {
                let next = waiting_streams
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .recv();
                let Ok(stream) = next else { return };
                waiting.fetch_sub(1, Ordering::SeqCst);
                let connection = Connection {
                    stream,
                    received: Vec::new(),
                    limits,
                    waiting: &waiting,
                };
                connection.serve(handler);
            });
        }
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                // Out of file descriptors and the like: wait, don't spin.
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            waiting.fetch_add(1, Ordering::SeqCst);
            match queue.try_send(stream) {
                Ok(()) => {}
                Err(TrySendError::Full(mut stream)) => {
                    waiting.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = stream.write_all(&busy);
                    let _ = stream.shutdown(Shutdown::Both);
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        drop(queue);
    });
}

/// One connection being served: its stream and the bytes received but not
/// yet used (a pipelined next request).
struct Connection<'a> {
    stream: TcpStream,
    received: Vec<u8>,
    limits: &'a Limits,
    waiting: &'a AtomicUsize,
}

/// Why reading a request stopped.
enum Stop {
    /// The client closed the connection or went quiet between requests:
    /// close without a word.
    Quietly,
    /// The server refuses the request with this status and message, then
    /// closes.
    Refuse(u16, String),
}

impl Connection<'_> {
    /// Serves requests on this connection until it closes.
    fn serve(mut self, handler: &impl Handler) {
        let _ = self.stream.set_nodelay(true);
        let _ = self
            .stream
            .set_write_timeout(Some(self.limits.request_timeout));
        loop {
            match self.next_request() {
                Ok((request, keep_alive)) => {
                    let response = handler.answer(&request);
                    if self
                        .stream
                        .write_all(&render(&response, keep_alive))
                        .is_err()
                        || !keep_alive
                    {
                        break;
                    }
                }
                Err(Stop::Quietly) => break,
                Err(Stop::Refuse(status, message)) => {
                    let response = handler.refuse(status, &message);
                    let _ = self.stream.write_all(&render(&response, false));
                    self.linger();
                    break;
                }
            }
        }
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Closes the sending side and reads what the client still sends (a
    /// refused body), for a little while: closing with unread bytes would
    /// reset the connection and could lose the refusal on its way.
    fn linger(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut read = 0;
        while read <= self.limits.max_body + self.limits.max_head {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            self.received.clear();
            match self.read_some() {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
    }

    /// Reads the next request, and whether the connection stays open after
    /// its answer.
    fn next_request(&mut self) -> Result<(Request, bool), Stop> {
        if self.received.is_empty() {
            self.await_request()?;
        }
        let deadline = Instant::now() + self.limits.request_timeout;
        let (mut request, head_len, version) = loop {
            if let Some(parsed) = self.parse_head()? {
                break parsed;
            }
            if self.received.len() > self.limits.max_head {
                return Err(Stop::Refuse(
                    431,
                    format!("request head over {} bytes", self.limits.max_head),
                ));
            }
            self.read_until(deadline)?;
        };
        if request.header("Transfer-Encoding").is_some() {
            return Err(Stop::Refuse(
                411,
                "send the body with Content-Length".into(),
            ));
        }
        let length = match request.header("Content-Length") {
            None => 0,
            Some(n) => n
                .trim()
                .parse::<usize>()
                .map_err(|_| Stop::Refuse(400, format!("Content-Length {n:?} is not a number")))?,
        };
        if length > self.limits.max_body {
            return Err(Stop::Refuse(
                413,
                format!("request body over {} bytes", self.limits.max_body),
            ));
        }
        let expects_continue = request
            .header("Expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
        if expects_continue && self.received.len() < head_len + length {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        while self.received.len() < head_len + length {
            self.read_until(deadline)?;
        }
        request.body = self.received[head_len..head_len + length].to_vec();
        self.received.drain(..head_len + length);
        let connection = request.header("Connection").unwrap_or("");
        let says = |word: &str| {
            connection
                .split(',')
                .any(|w| w.trim().eq_ignore_ascii_case(word))
        };
        let keep_alive = if version >= 1 {
            !says("close")
        } else {
            says("keep-alive")
        };
        Ok((request, keep_alive))
    }

    /// Parses the request head from the bytes received: the request, the
    /// head's length and the HTTP minor version; `None` while incomplete.
    fn parse_head(&self) -> Result<Option<(Request, usize, u8)>, Stop> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Request::new(&mut headers);
        match head.parse(&self.received) {
            Ok(httparse::Status::Partial) => Ok(None),
            Ok(httparse::Status::Complete(len)) => {
                let request = Request {
                    method: head.method.unwrap_or_default().to_string(),
                    target: head.path.unwrap_or_default().to_string(),
                    headers: head
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: Vec::new(),
                };
                Ok(Some((request, len, head.version.unwrap_or(1))))
            }
            Err(httparse::Error::TooManyHeaders) => Err(Stop::Refuse(
                431,
                format!("more than {MAX_HEADERS} headers"),
            )),
            Err(e) => Err(Stop::Refuse(400, format!("malformed request: {e}"))),
        }
    }

    /// Waits for the first byte of the next request: up to the idle
    /// timeout, and no longer once another connection waits for a worker.
    fn await_request(&mut self) -> Result<(), Stop> {
        let since = Instant::now();
        let poll = IDLE_POLL
            .min(self.limits.idle_timeout)
            .max(Duration::from_millis(1));
        let _ = self.stream.set_read_timeout(Some(poll));
        loop {
            match self.read_some() {
                Ok(0) => return Err(Stop::Quietly),
                Ok(_) => return Ok(()),
                Err(e) if is_timeout(&e) => {
                    if since.elapsed() >= self.limits.idle_timeout
                        || self.waiting.load(Ordering::SeqCst) > 0
                    {
                        return Err(Stop::Quietly);
                    }
                }
                Err(_) => return Err(Stop::Quietly),
            }
        }
    }

    /// Reads more of a request that has begun, by the deadline.
    fn read_until(&mut self, deadline: Instant) -> Result<(), Stop> {
        let late = || {
            Stop::Refuse(
                408,
                format!(
                    "the request did not arrive within {} s",
                    self.limits.request_timeout.as_secs_f64()
                ),
            )
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(late());
        }
        let _ = self.stream.set_read_timeout(Some(left));
        match self.read_some() {
            Ok(0) => Err(Stop::Quietly),
            Ok(_) => Ok(()),
            Err(e) if is_timeout(&e) => Err(late()),
            Err(_) => Err(Stop::Quietly),
        }
    }

    /// One read from the stream into `received`.
    fn read_some(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.received.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A response as bytes: status line, headers, framing and body, to be sent
/// in one write.
fn render(response: &Response, keep_alive: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + response.body.len());
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(
        out,
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    out.extend_from_slice(&response.body);
    out
}

/// The reason phrase for the statuses this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    use std::sync::atomic::AtomicBool;

    /// Set while a request for `/hold` is being answered.
    static HOLDING: AtomicBool = AtomicBool::new(false);
    /// Lets the answer to `/hold` go.
    static RELEASE: AtomicBool = AtomicBool::new(false);

    /// Answers every request with its method, target and body length; the
    /// answer to `/hold` waits for [`RELEASE`].
    struct Echo;

    impl Handler for Echo {
        fn answer(&self, request: &Request) -> Response {
            if request.target == "/hold" {
                HOLDING.store(true, Ordering::SeqCst);
                while !RELEASE.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            Response {
                status: 200,
                headers: vec![("Content-Type", "text/plain".into())],
                body: format!(
                    "{} {} {}",
                    request.method,
                    request.target,
                    request.body.len()
                )
                .into_bytes(),
            }
        }

        fn refuse(&self, status: u16, message: &str) -> Response {
            Response {
                status,
                headers: Vec::new(),
                body: message.as_bytes().to_vec(),
            }
        }
    }

    /// Starts a server with these limits on a free port; it runs until the
    /// test process ends.
    fn start(limits: Limits) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || serve(listener, &limits, &Echo));
        addr
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
    }

    /// Reads one response: status line and headers, and the body by its
    /// `Content-Length`.
    fn response(stream: &mut TcpStream) -> (String, String) {
        let mut bytes = Vec::new();
        let mut byte = [0u8];
        while !bytes.ends_with(b"\r\n\r\n") {
            assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed mid-response");
            bytes.push(byte[0]);
        }
        let head = String::from_utf8(bytes).unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        let mut body = vec![0; length];
        stream.read_exact(&mut body).unwrap();
        (head, String::from_utf8(body).unwrap())
    }

    fn closed(stream: &mut TcpStream) -> bool {
        matches!(stream.read(&mut [0u8; 16]), Ok(0))
    }

    #[test]
    fn kept_alive_connections_answer_requests_in_order_even_pipelined() {
        let addr = start(Limits::default());
        let mut stream = connect(addr);
        stream
            .write_all(
                b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n\
                  POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
                  GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let (head, body) = response(&mut stream);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("Connection: keep-alive\r\n"), "{head}");
        assert_eq!(body, "GET /a 0");
        assert_eq!(response(&mut stream).1, "POST /b 5");
        let (head, body) = response(&mut stream);
        assert!(head.contains("Connection: close\r\n"), "{head}");
        assert_eq!(body, "GET /c 0");
        assert!(closed(&mut stream));
        // HTTP/1.0 closes unless asked to keep the connection.
        let mut stream = connect(addr);
        stream.write_all(b"GET /d HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(response(&mut stream).1, "GET /d 0");
        assert!(closed(&mut stream));
    }

    #[test]
    fn oversized_slow_and_malformed_requests_are_refused_and_closed() {
        let addr = start(Limits {
            request_timeout: Duration::from_millis(300),
            max_head: 1024,
            max_body: 10,
            ..Limits::default()
        });
        let refused = |request: &[u8]| {
            let mut stream = connect(addr);
            stream.write_all(request).unwrap();
            let (head, body) = response(&mut stream);
            assert!(closed(&mut stream));
            (head[9..12].to_string(), body)
        };
        // The body is refused by its announced length, unread.
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"),
            ("413".into(), "request body over 10 bytes".into())
        );
        let long = format!("GET /{} HTTP/1.1\r\n", "x".repeat(2000));
        assert_eq!(
            refused(long.as_bytes()),
            ("431".into(), "request head over 1024 bytes".into())
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ("411".into(), "send the body with Content-Length".into())
        );
        assert_eq!(refused(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n").0, "400");
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: many\r\n\r\n"),
            (
                "400".into(),
                "Content-Length \"many\" is not a number".into()
            )
        );
        // A request begun but not finished: the head, or the body.
        assert_eq!(
            refused(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            (
                "408".into(),
                "the request did not arrive within 0.3 s".into()
            )
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab").0,
            "408"
        );
    }

    #[test]
    fn a_client_expecting_100_continue_is_told_to_send_its_body() {
        let addr = start(Limits::default());
        let mut stream = connect(addr);
        stream
            .write_all(b"POST /e HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            .unwrap();
        let mut interim = [0u8; 25];
        stream.read_exact(&mut interim).unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        stream.write_all(b"abc").unwrap();
        assert_eq!(response(&mut stream).1, "POST /e 3");
    }

    #[test]
    fn idle_connections_time_out_and_give_way_to_waiting_ones() {
        let addr = start(Limits {
            workers: 1,
            idle_timeout: Duration::from_millis(200),
            ..Limits::default()
        });
        // Never sends a request: closed after the idle timeout.
        let mut idle = connect(addr);
        assert!(closed(&mut idle));
        // One worker, idle timeout long: a kept-alive connection that is
        // idle still gives its worker up to a connection that waits.
        let addr = start(Limits {
            workers: 1,
            idle_timeout: Duration::from_secs(600),
            ..Limits::default()
        });
        let mut first = connect(addr);
        first.write_all(b"GET /1 HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(response(&mut first).1, "GET /1 0");
        let mut second = connect(addr);
        second.write_all(b"GET /2 HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(response(&mut second).1, "GET /2 0");
        assert!(closed(&mut first));
    }

    #[test]
    fn connections_beyond_the_workers_and_the_queue_are_answered_503() {
        let addr = start(Limits {
            workers: 1,
            queue: 1,
            ..Limits::default()
        });
        // The worker is held by one request, one connection waits.
        let mut busy = connect(addr);
        busy.write_all(b"GET /hold HTTP/1.1\r\n\r\n").unwrap();
        while !HOLDING.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut queued = connect(addr);
        queued.write_all(b"GET /q HTTP/1.1\r\n\r\n").unwrap();
        // Connections are accepted in order: this one finds the queue full.
        let mut refused = connect(addr);
        let (head, body) = response(&mut refused);
        assert!(
            head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{head}"
        );
        assert_eq!(body, "the server is busy; try again");
        assert!(closed(&mut refused));
        RELEASE.store(true, Ordering::SeqCst);
        assert_eq!(response(&mut busy).1, "GET /hold 0");
        assert_eq!(response(&mut queued).1, "GET /q 0");
    }
}
