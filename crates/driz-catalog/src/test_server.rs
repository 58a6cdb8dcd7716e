//! A tiny HTTP/1.1 server on `127.0.0.1:<free port>` that plays recorded answers, for tests
//! of this crate and of the crates that call the catalog service or the astrometry
//! database. Standard library only; one thread per connection; every answer closes its
//! connection; stops when dropped.
//!
//! ```no_run
//! use driz_catalog::test_server::{Reply, Route, TestServer};
//! let server = TestServer::start(vec![
//!     Route::new("/vo/CatalogSearch.aspx", Reply::ok("text/csv", "1 source\r\nra,dec,mag,objID\r\n1,2,3,4\r\n")),
//!     Route::new("/availability", Reply::status(503, "text/plain", "down")),
//! ]);
//! let base = server.base_url(); // "http://127.0.0.1:PORT"
//! // ... run the client against `base` ...
//! assert_eq!(server.requests().len(), 0);
//! ```

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the server does with a matching request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete HTTP answer, sent after `delay`.
    Respond { status: u16, content_type: String, body: Vec<u8>, delay: Duration },
    /// Read the request, then close the connection without a byte of answer.
    CloseWithoutAnswer,
    /// Answer with bytes that are not HTTP, then close.
    Garbage,
}

impl Reply {
    /// HTTP 200 with the given content type and body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, content_type, body)
    }

    /// Any status with the given content type and body.
    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond { status, content_type: content_type.to_string(), body: body.into(), delay: Duration::ZERO }
    }

    /// The same answer, sent only after `delay` (to provoke client timeouts).
    pub fn delayed(self, delay: Duration) -> Reply {
        match self {
            Reply::Respond { status, content_type, body, .. } => Reply::Respond { status, content_type, body, delay },
            other => other,
        }
    }
}

/// A request path (exact, without the query) and an optional substring the query must
/// contain. Routes are tried in order; the first match answers. Unmatched requests get 404.
#[derive(Debug, Clone)]
pub struct Route {
    pub path: String,
    pub query_contains: Option<String>,
    pub reply: Reply,
}

impl Route {
    pub fn new(path: &str, reply: Reply) -> Route {
        Route { path: path.to_string(), query_contains: None, reply }
    }

    /// Only requests whose query string contains `fragment` match.
    pub fn with_query(mut self, fragment: &str) -> Route {
        self.query_contains = Some(fragment.to_string());
        self
    }

    fn matches(&self, path: &str, query: &str) -> bool {
        self.path == path && self.query_contains.as_deref().is_none_or(|q| query.contains(q))
    }
}

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request line, e.g. `GET /vo/CatalogSearch.aspx?RA=1 HTTP/1.1`.
    pub line: String,
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// A running server; dropping it stops it.
pub struct TestServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts serving `routes`. Panics if no loopback port can be bound (a broken test
    /// environment, not an input error); use [`TestServer::try_start`] to handle that.
    pub fn start(routes: Vec<Route>) -> TestServer {
        match TestServer::try_start(routes) {
            Ok(server) => server,
            Err(e) => panic!("test server: cannot listen on 127.0.0.1: {e}"),
        }
    }

    pub fn try_start(routes: Vec<Route>) -> std::io::Result<TestServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(routes);
        let acceptor = {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (routes, requests, stop) = (routes.clone(), requests.clone(), stop.clone());
                    std::thread::spawn(move || serve_connection(stream, &routes, &requests, &stop));
                }
            })
        };
        Ok(TestServer { port, stop, requests, acceptor: Some(acceptor) })
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

/// A URL on which nothing listens (a port just bound and released), for
/// "connection refused" tests.
pub fn closed_port_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9);
    format!("http://127.0.0.1:{port}")
}

fn serve_connection(
    mut stream: TcpStream,
    routes: &[Route],
    requests: &Mutex<Vec<RecordedRequest>>,
    stop: &AtomicBool,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&mut stream) else { return };
    let (path, query) = request.target.split_once('?').unwrap_or((request.target.as_str(), ""));
    let reply = routes.iter().find(|r| r.matches(path, query)).map(|r| r.reply.clone());
    if let Ok(mut list) = requests.lock() {
        list.push(request);
    }
    match reply {
        None => write_answer(&mut stream, 404, "text/plain", b"no such route"),
        Some(Reply::CloseWithoutAnswer) => {}
        Some(Reply::Garbage) => {
            let _ = stream.write_all(b"\x00\x01 this is not HTTP \xff\xfe\r\n\r\n");
        }
        Some(Reply::Respond { status, content_type, body, delay }) => {
            let until = Instant::now() + delay;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10).min(until.saturating_duration_since(Instant::now())));
            }
            write_answer(&mut stream, status, &content_type, &body);
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn read_request(stream: &mut TcpStream) -> Option<RecordedRequest> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || data.len() > 1 << 20 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&data);
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n");
    let line = lines.next()?.to_string();
    let mut parts = line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(RecordedRequest { line, method, target, headers })
}

fn write_answer(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).and_then(|()| stream.flush());
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
