//! A tiny HTTP/1.1 client over `std::net::TcpStream` for the ops endpoints, and a bounded wait
//! for a port to answer.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A port free at the time of asking, on the loopback.
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// `GET path`: (status, body), or `None` when nothing answers.
pub fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    // axum sends a length for these small bodies; a chunked body is not expected.
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    Some((status, body.to_owned()))
}

/// Polls `GET path` until `done` holds for its answer, or fails at `deadline` with the last answer.
pub fn wait_for(addr: SocketAddr, path: &str, deadline: Duration, done: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let until = Instant::now() + deadline;
    let mut last = None;
    loop {
        if let Some((status, body)) = get(addr, path) {
            if done(status, &body) {
                return (status, body);
            }
            last = Some((status, body));
        }
        assert!(Instant::now() < until, "GET {path} on {addr}: no expected answer within {deadline:?}; last: {last:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The value of the sample `series` (the whole name with its labels, as rendered) in a
/// Prometheus text body; `None` when the series is absent.
pub fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
}
