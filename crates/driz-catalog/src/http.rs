//! The one HTTP GET used by every client: bounded in time, HTTP statuses returned as
//! values (a 404 from the astrometry database is an answer, not a failure), and every ureq
//! error folded into a [`TransportFailure`].

use crate::TransportFailure;
use std::time::Duration;

/// Upper bound on a response body; catalog answers for HST fields are at most a few MB.
const MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// GET `url` with the given headers; the whole exchange (connect, send, receive the body)
/// must finish within `timeout`.
pub(crate) fn get(url: &str, headers: &[(&str, &str)], timeout: Duration) -> Result<HttpAnswer, TransportFailure> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).build().into();
    let encoded = encode_url(url);
    let mut request = agent.get(&encoded);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.call().map_err(classify)?;
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_vec().map_err(classify)?;
    Ok(HttpAnswer { status, body })
}

fn classify(error: ureq::Error) -> TransportFailure {
    use ureq::Error as E;
    match error {
        E::Timeout(_) => TransportFailure::Timeout,
        E::ConnectionFailed | E::HostNotFound => TransportFailure::Connect(error.to_string()),
        E::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => TransportFailure::Timeout,
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::NotConnected
            | std::io::ErrorKind::AddrNotAvailable => TransportFailure::Connect(io.to_string()),
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe => TransportFailure::Protocol(io.to_string()),
            _ => TransportFailure::Other(io.to_string()),
        },
        E::Protocol(_) | E::BodyExceedsLimit(_) => TransportFailure::Protocol(error.to_string()),
        other => TransportFailure::Other(other.to_string()),
    }
}

/// Percent-encodes what `requests` would (it re-quotes everything outside the unreserved
/// and reserved sets), so a WCSNAME with an odd character still gives a valid request.
pub(crate) fn encode_url(url: &str) -> String {
    const KEEP: &[u8] = b"-._~:/?#[]@!$&'()*+,;=%";
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || KEEP.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_query_syntax() {
        assert_eq!(encode_url("http://h/a?x=1&y=IDC_a-FIT"), "http://h/a?x=1&y=IDC_a-FIT");
        assert_eq!(encode_url("http://h/a?w=a b\"c"), "http://h/a?w=a%20b%22c");
    }
}
