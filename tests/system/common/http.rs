//! One-shot HTTP/1.1 over a raw TCP stream (the tests want to see exactly
//! what the server answers, headers included) and websocket handshakes the
//! server refuses.

use super::WAIT;
use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Writes `request` on a new connection and reads the response to its end
/// (every request here says `Connection: close`); panics after [`WAIT`].
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("response within the wait")
        .expect("reads");
    response
}

/// A one-shot HTTP/1.1 request; returns the status and the JSON body (or
/// `Value::Null` if the body is not JSON).
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    http_request_as(addr, None, method, path, body).await
}

/// `Authorization: Bearer <token>\r\n`, or nothing without a token.
pub fn authorization_header(token: Option<&str>) -> String {
    token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default()
}

/// A request with `Authorization: Bearer <token>` when a token is given.
pub async fn http_request_as(
    addr: SocketAddr,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let authorization = authorization_header(token);
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_http(addr, raw.as_bytes()).await
}

pub async fn raw_http(addr: SocketAddr, request: &[u8]) -> (u16, Value) {
    let response = exchange(addr, request).await;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// HTTP status of a websocket handshake that the server refused.
pub async fn refused_upgrade_status(url: &str) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("the upgrade to {url} was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

/// A GET with `Authorization: Bearer <token>`: the status and the body's
/// bytes (a PDF, a DOCX, an image).
pub async fn get_bytes(server: &super::server::Server, path: &str, token: &str) -> (u16, Vec<u8>) {
    let authorization = authorization_header(Some(token));
    let raw = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{authorization}Connection: close\r\n\r\n",
        server.addr
    );
    let response = exchange(server.addr, raw.as_bytes()).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, response[split + 4..].to_vec())
}
