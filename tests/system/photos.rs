//! Photos of a board: only real images are taken, re-encoded without
//! metadata; every kind of bad upload gets a clear 4xx and stores nothing;
//! the limits hold one step above and below; a decompression bomb costs
//! no memory.

use crate::common::http::exchange;
use crate::common::{Server, http_request_as};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use serde_json::Value;

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&picture)
        .expect("encodes");
    out
}

/// A JPEG with an Exif segment naming a GPS position and a camera serial.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut segment = b"Exif\0\0II*\0\x08\0\0\0\0\0".to_vec();
    segment
        .extend_from_slice(b"GPSLatitude 51.3127N GPSLongitude 9.4797E BodySerialNumber CAM-4711");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(
        &u16::try_from(segment.len() + 2)
            .expect("short")
            .to_be_bytes(),
    );
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A raw request with a binary body: status, headers (lower case), body.
async fn send(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    let response = exchange(server.addr, &raw).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head, response[split + 4..].to_vec())
}

async fn photo_count(server: &Server, board: &str, token: &str) -> usize {
    let (status, body) = http_request_as(
        server.addr,
        Some(token),
        "GET",
        &format!("/api/boards/{board}/photos"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["photos"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_photo_is_stored_upright_small_and_without_its_metadata() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Galerie").await;
    let (_, token) = server.join(&board, "Ada").await;
    let path = format!("/api/boards/{}/photos", board.id);
    let (status, _, body) = send(
        &server,
        "POST",
        &path,
        &token,
        "image/jpeg",
        &jpeg_with_gps(3000, 2250),
    )
    .await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let uploaded: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        (uploaded["width"].as_u64(), uploaded["height"].as_u64()),
        (Some(2048), Some(1536))
    );
    let photo = uploaded["photo"].as_str().expect("an id");
    for (query, side) in [("", 2048), ("?size=thumbnail", 320)] {
        let (status, head, bytes) = send(
            &server,
            "GET",
            &format!("{path}/{photo}{query}"),
            &board.viewer_token,
            "image/jpeg",
            b"",
        )
        .await;
        assert_eq!(status, 200);
        assert!(head.contains("content-type: image/jpeg"), "{head}");
        let decoded = image::load_from_memory(&bytes).expect("a JPEG");
        assert_eq!(decoded.width().max(decoded.height()), side);
        for marker in [&b"Exif"[..], b"GPS", b"CAM-4711", b"51.3127"] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker),
                "{}",
                String::from_utf8_lossy(marker)
            );
        }
    }
    // Nothing of the metadata in any file of the data directory either.
    assert!(!server.stores("CAM-4711") && !server.stores("GPSLatitude"));
    // A PNG and a WebP are taken too; the moderator hides, the author deletes.
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(RgbImage::new(40, 30))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    let (status, _, body) = send(
        &server,
        "POST",
        &path,
        &board.moderator_token,
        "image/png",
        &png,
    )
    .await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let png_photo: Value = serde_json::from_slice(&body).expect("json");
    let png_id = png_photo["photo"].as_str().expect("id");
    let (status, _) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "POST",
        &format!("{path}/{png_id}"),
        Some(&serde_json::json!({"status": "hidden"})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        photo_count(&server, &board.id, &token).await,
        1,
        "a hidden photo is the moderator's alone"
    );
    assert_eq!(
        photo_count(&server, &board.id, &board.moderator_token).await,
        2
    );
    assert_eq!(
        send(
            &server,
            "GET",
            &format!("{path}/{png_id}"),
            &token,
            "image/jpeg",
            b""
        )
        .await
        .0,
        404
    );
    assert_eq!(
        send(
            &server,
            "DELETE",
            &format!("{path}/{png_id}"),
            &token,
            "image/jpeg",
            b""
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(
            &server,
            "DELETE",
            &format!("{path}/{photo}"),
            &token,
            "image/jpeg",
            b""
        )
        .await
        .0,
        204
    );
    assert_eq!(
        photo_count(&server, &board.id, &board.moderator_token).await,
        1
    );
}

#[tokio::test]
async fn bad_uploads_get_a_clear_error_store_nothing_and_cost_no_memory() {
    let limit = 300 * 1024;
    let limit_flag = limit.to_string();
    let server = Server::start(&[
        "--max-photo-bytes",
        &limit_flag,
        "--max-photos-per-board",
        "2",
    ])
    .await;
    let board = server.create_board("Galerie").await;
    let other = server.create_board("Andere").await;
    let (_, token) = server.join(&board, "Ada").await;
    let path = format!("/api/boards/{}/photos", board.id);
    let whole = jpeg(640, 480);
    // A PNG whose header declares 100,000 × 100,000 pixels (30 GB decoded).
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0d".to_vec();
    bomb.extend_from_slice(&ihdr);
    bomb.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    bomb.extend(std::iter::repeat_n(0u8, 4096));
    // Noise does not compress: a JPEG just over the limit.
    let oversized = {
        let mut side = 300;
        loop {
            let candidate = noise_jpeg(side);
            if candidate.len() > limit {
                break candidate;
            }
            side += 40;
        }
    };
    let cases: [(&str, &str, &[u8], u16, &str); 6] = [
        (
            "a PDF",
            "image/jpeg",
            b"%PDF-1.7 not a photo at all",
            422,
            "this is not a JPEG, PNG or WebP image",
        ),
        (
            "a truncated JPEG",
            "image/jpeg",
            &whole[..whole.len() / 2],
            422,
            "the image could not be read",
        ),
        (
            "a decompression bomb",
            "image/png",
            &bomb,
            422,
            "at most 12000 on a side",
        ),
        (
            "a body over the limit",
            "image/jpeg",
            &oversized,
            413,
            "a photo may have at most",
        ),
        (
            "the wrong type",
            "text/plain",
            &whole,
            415,
            "image/jpeg, image/png or image/webp",
        ),
        (
            "a GIF",
            "image/jpeg",
            b"GIF89a\x01\0\x01\0\0\0\0;",
            422,
            "this is not a JPEG, PNG or WebP image",
        ),
    ];
    let before = server.peak_memory_kib();
    for (what, content_type, body, expected, message) in cases {
        let (status, _, answer) = send(&server, "POST", &path, &token, content_type, body).await;
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains(message)),
            "{what}: {answer}"
        );
    }
    let peak = server.peak_memory_kib();
    assert!(
        peak < before + 64 * 1024,
        "the bad uploads raised the peak from {before} to {peak} KiB"
    );
    assert_eq!(
        photo_count(&server, &board.id, &board.moderator_token).await,
        0,
        "nothing was stored"
    );
    // Tokens: another board's, a viewer's, none.
    assert_eq!(
        send(
            &server,
            "POST",
            &path,
            &other.moderator_token,
            "image/jpeg",
            &whole
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(
            &server,
            "POST",
            &path,
            &board.viewer_token,
            "image/jpeg",
            &whole
        )
        .await
        .0,
        403
    );
    let (status, _) = http_request_as(server.addr, None, "POST", &path, None).await;
    assert_eq!(status, 401);

    // One step below the body limit is taken; two photos per board, not three.
    let just_below = {
        let mut side = 300;
        let mut best = noise_jpeg(side);
        loop {
            side += 20;
            let candidate = noise_jpeg(side);
            if candidate.len() > limit {
                break best;
            }
            best = candidate;
        }
    };
    assert!(just_below.len() <= limit && oversized.len() > limit);
    assert_eq!(
        send(&server, "POST", &path, &token, "image/jpeg", &just_below)
            .await
            .0,
        201
    );
    assert_eq!(
        send(&server, "POST", &path, &token, "image/jpeg", &whole)
            .await
            .0,
        201
    );
    let (status, _, answer) = send(&server, "POST", &path, &token, "image/jpeg", &whole).await;
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&answer));
    assert!(String::from_utf8_lossy(&answer).contains("this board has its 2 photos"));
    assert_eq!(
        photo_count(&server, &board.id, &board.moderator_token).await,
        2
    );
}

#[tokio::test]
async fn the_servers_room_for_photos_is_a_limit_too() {
    let server = Server::start(&["--max-photo-storage-bytes", "1048576"]).await;
    let board = server.create_board("Galerie").await;
    let path = format!("/api/boards/{}/photos", board.id);
    // A stored noise photo of 400 × 400 takes some 100 KiB: the room of
    // 1 MiB takes some, then refuses, and what is stored stays within it.
    let photo = noise_jpeg(400);
    let mut answers = Vec::new();
    while answers.last().is_none_or(|(status, _)| *status == 201) && answers.len() < 40 {
        let (status, _, body) = send(
            &server,
            "POST",
            &path,
            &board.moderator_token,
            "image/jpeg",
            &photo,
        )
        .await;
        answers.push((status, String::from_utf8_lossy(&body).to_string()));
    }
    let (status, last) = answers.last().cloned().expect("answers");
    assert_eq!(status, 409, "{answers:?}");
    assert!(
        last.contains("the server's room for photos is full"),
        "{answers:?}"
    );
    assert!(answers.len() > 2, "{answers:?}");
}

/// A square JPEG of noise: hardly compressible.
fn noise_jpeg(side: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_u32;
    let picture = RgbImage::from_fn(side, side, |_, _| {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state & 0xFF) as u8
        };
        Rgb([next(), next(), next()])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&picture)
        .expect("encodes");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
