//! `photo`: what taking in a 12-megapixel phone photo costs the server
//! (issue 14): a 4032 × 3024 JPEG (a smooth picture with fine texture, about
//! the size a phone camera writes) uploaded `--uploads` times one after
//! another; the time of each upload (decode, turn, scale, encode, store)
//! and the server's peak resident memory (`VmHWM`) before and after.

use crate::report::{Percentiles, emit};
use anyhow::{Context, bail};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

#[derive(Debug, Clone, clap::Args)]
pub struct PhotoArgs {
    /// Kartenwand's base URL, `http://HOST:PORT` (started with a
    /// `--max-photos-per-board` of at least `--uploads`).
    #[arg(long)]
    pub target: String,
    /// The server's process id, for its peak memory from /proc.
    #[arg(long)]
    pub server_pid: u32,
    #[arg(long, default_value_t = 5)]
    pub uploads: usize,
    /// Free text copied into the JSON line.
    #[arg(long, default_value = "")]
    pub label: String,
}

/// A 12-megapixel picture: gradients with a fine grain, JPEG quality 92.
fn twelve_megapixels() -> anyhow::Result<Vec<u8>> {
    let mut state = 0x9E37_79B9_u32;
    let picture = RgbImage::from_fn(4032, 3024, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state & 0x1F) as u8;
        Rgb([
            ((x / 16) % 200) as u8 + grain,
            ((y / 12) % 200) as u8 + grain,
            (((x + y) / 20) % 200) as u8 + grain,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode_image(&picture)?;
    Ok(out)
}

fn peak_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM")
}

pub async fn run(args: PhotoArgs) -> anyhow::Result<()> {
    let authority = args
        .target
        .split_once("://")
        .map_or(args.target.as_str(), |(_, rest)| rest)
        .trim_end_matches('/')
        .to_owned();
    let board =
        crate::wire::http_post(&authority, "/api/boards", &json!({"title": "Galerie"})).await?;
    let id = board["board"].as_str().context("no board")?.to_owned();
    let token = board["moderator_token"]
        .as_str()
        .context("no token")?
        .to_owned();
    let photo = twelve_megapixels()?;
    let peak_before = peak_kib(args.server_pid)?;
    let mut times = Vec::with_capacity(args.uploads);
    for _ in 0..args.uploads {
        let started = Instant::now();
        let answer = upload(&authority, &id, &token, &photo).await?;
        times.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        if answer.get("photo").is_none() {
            bail!("no photo in {answer}");
        }
    }
    let peak_after = peak_kib(args.server_pid)?;
    let percentiles = Percentiles::of_micros(&mut times);
    let line = json!({
        "bench": "photo",
        "label": args.label,
        "upload_bytes": photo.len(),
        "uploads": args.uploads,
        "p50_ms": percentiles.p50,
        "max_ms": percentiles.max,
        "server_peak_kib_before": peak_before,
        "server_peak_kib_after": peak_after,
    });
    emit(
        &line,
        &format!(
            "photo: {} uploads of a 12-megapixel JPEG ({:.1} MiB): p50 {:.0} ms, max {:.0} ms; server peak memory {} → {} MiB",
            args.uploads,
            photo.len() as f64 / 1048576.0,
            percentiles.p50,
            percentiles.max,
            peak_before / 1024,
            peak_after / 1024
        ),
    );
    Ok(())
}

async fn upload(authority: &str, board: &str, token: &str, photo: &[u8]) -> anyhow::Result<Value> {
    let mut request = format!(
        "POST /api/boards/{board}/photos HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        photo.len()
    )
    .into_bytes();
    request.extend_from_slice(photo);
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await?;
        stream.write_all(&request).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        anyhow::Ok(response)
    };
    let response = timeout(Duration::from_secs(60), exchange)
        .await
        .context("no answer within 60 s")??;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").context("not an HTTP answer")?;
    if !head.split(' ').nth(1).unwrap_or("").starts_with('2') {
        bail!("{} {}", head.lines().next().unwrap_or(""), body.trim());
    }
    Ok(serde_json::from_str(body)?)
}
