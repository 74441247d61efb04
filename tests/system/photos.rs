//! Photos of a board: only real images are taken, re-encoded without
//! metadata; every kind of bad upload gets a clear 4xx and stores nothing;
//! the limits hold one step above and below; a decompression bomb costs
//! no memory; with approval on, a participant's photo waits for the
//! moderator and only they and its author see it; the event page shows the
//! shown photos of all the event's boards.

use crate::common::doc::with_segment;
use crate::common::http::exchange;
use crate::common::server::event_boards;
use crate::common::{Client, Server, at, http_request_as};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use serde_json::{Value, json};
use yrs::{Any, Map, WriteTxn};

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
    let mut segment = b"Exif\0\0II*\0\x08\0\0\0\0\0".to_vec();
    segment
        .extend_from_slice(b"GPSLatitude 51.3127N GPSLongitude 9.4797E BodySerialNumber CAM-4711");
    with_segment(&jpeg(width, height), 0xE1, &segment)
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
    send_with(server, method, path, token, content_type, "", body).await
}

/// [`send`] with further header lines (`extra`, each ending in `\r\n`).
async fn send_with(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    extra: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
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

    // A body of exactly the limit is taken, one byte more is not; two
    // photos per board, not three.
    let exact = padded(&whole, limit);
    let one_over = padded(&whole, limit + 1);
    assert_eq!((exact.len(), one_over.len()), (limit, limit + 1));
    let (status, _, answer) = send(&server, "POST", &path, &token, "image/jpeg", &one_over).await;
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(
        send(&server, "POST", &path, &token, "image/jpeg", &exact)
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

/// `jpeg` grown to exactly `total` bytes by comment segments after its
/// start marker (a comment is no metadata the decoder keeps).
fn padded(jpeg: &[u8], total: usize) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    while out.len() < total {
        // A segment is its marker (2 bytes), its length (2) and its data;
        // the last one must have room for its own 4.
        let rest = total - out.len() - 4;
        let data = if rest > 65_533 {
            (rest - 4).min(65_533)
        } else {
            rest
        };
        out = with_segment(&out, 0xFE, &vec![b'k'; data]);
    }
    out
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

/// The photos of a board a token is shown: (photo id, status).
async fn listed(server: &Server, board: &str, token: &str) -> Vec<(String, String)> {
    let (status, body) = http_request_as(
        server.addr,
        Some(token),
        "GET",
        &format!("/api/boards/{board}/photos"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .map(|p| {
            (
                p["photo"].as_str().expect("id").to_owned(),
                p["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

/// Uploads a small JPEG; returns the photo id and the status it got.
async fn upload(server: &Server, board: &str, token: &str) -> (String, String) {
    let (status, _, body) = send(
        server,
        "POST",
        &format!("/api/boards/{board}/photos"),
        token,
        "image/jpeg",
        &jpeg(64, 48),
    )
    .await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let uploaded: Value = serde_json::from_slice(&body).expect("json");
    (
        uploaded["photo"].as_str().expect("id").to_owned(),
        uploaded["status"].as_str().expect("status").to_owned(),
    )
}

/// Sets `meta.photosNeedApproval` as the moderator, and waits until a
/// participant's connection sees it: then the room has it.
async fn set_approval(moderator: &mut Client, participant: &mut Client, on: bool) {
    moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "photosNeedApproval", Any::Bool(on));
        })
        .await;
    participant
        .pump_until(
            |c| *at(&c.json(), "/meta/photosNeedApproval") == json!(on),
            "the approval flag",
        )
        .await;
}

#[tokio::test]
async fn with_approval_on_a_participants_photo_waits_for_the_moderator() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Galerie").await;
    let (_, ada) = server.join(&board, "Ada").await;
    let (_, bea) = server.join(&board, "Bea").await;
    let path = format!("/api/boards/{}/photos", board.id);

    // Approval off (the default): shown at once.
    let (early, status) = upload(&server, &board.id, &ada).await;
    assert_eq!(status, "shown");

    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut watcher = Client::connect(&server, &board.id, &bea).await;
    set_approval(&mut moderator, &mut watcher, true).await;

    // Ada's photo waits; the moderator's own is shown at once.
    let (waiting, status) = upload(&server, &board.id, &ada).await;
    assert_eq!(status, "pending");
    let (_, status) = upload(&server, &board.id, &board.moderator_token).await;
    assert_eq!(status, "shown");
    let pending = (waiting.clone(), "pending".to_owned());
    assert!(listed(&server, &board.id, &ada).await.contains(&pending));
    assert!(
        listed(&server, &board.id, &board.moderator_token)
            .await
            .contains(&pending)
    );
    for other in [&bea, &board.viewer_token] {
        let seen = listed(&server, &board.id, other).await;
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(
            seen.iter()
                .all(|(id, status)| id != &waiting && status == "shown")
        );
        for query in ["", "?size=thumbnail"] {
            let (status, _, _) = send(
                &server,
                "GET",
                &format!("{path}/{waiting}{query}"),
                other,
                "image/jpeg",
                b"",
            )
            .await;
            assert_eq!(status, 404, "a pending photo is not shown to others");
        }
    }
    let (status, _, _) = send(
        &server,
        "GET",
        &format!("{path}/{waiting}?size=thumbnail"),
        &ada,
        "image/jpeg",
        b"",
    )
    .await;
    assert_eq!(status, 200, "its author sees the pending photo");

    // Only the moderator approves, and only to shown or hidden.
    for (token, status, expected) in [
        (&bea, "shown", 403),
        (&ada, "shown", 403),
        (&board.moderator_token, "pending", 400),
        (&board.moderator_token, "shown", 204),
    ] {
        let (answer, body) = http_request_as(
            server.addr,
            Some(token),
            "POST",
            &format!("{path}/{waiting}"),
            Some(&json!({ "status": status })),
        )
        .await;
        assert_eq!(answer, expected, "{status}: {body}");
    }
    assert!(
        listed(&server, &board.id, &bea)
            .await
            .contains(&(waiting.clone(), "shown".to_owned()))
    );
    assert_eq!(
        send(
            &server,
            "GET",
            &format!("{path}/{waiting}"),
            &board.viewer_token,
            "image/jpeg",
            b""
        )
        .await
        .0,
        200
    );

    // A hidden photo stays in its author's list, as hidden.
    let (status, _) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "POST",
        &format!("{path}/{early}"),
        Some(&json!({"status": "hidden"})),
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        listed(&server, &board.id, &ada)
            .await
            .contains(&(early.clone(), "hidden".to_owned()))
    );
    assert!(
        !listed(&server, &board.id, &bea)
            .await
            .iter()
            .any(|(id, _)| id == &early)
    );

    // With the room closed, the flag is read from the store.
    moderator.close().await;
    watcher.close().await;
    let (_, status) = upload(&server, &board.id, &bea).await;
    assert_eq!(status, "pending");
    // Turned off again: shown at once.
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut watcher = Client::connect(&server, &board.id, &ada).await;
    set_approval(&mut moderator, &mut watcher, false).await;
    let (_, status) = upload(&server, &board.id, &bea).await;
    assert_eq!(status, "shown");
    assert_eq!(
        listed(&server, &board.id, &board.moderator_token)
            .await
            .len(),
        5
    );
}

/// An event of a plenary and a workshop; (event id, organiser token,
/// viewer token, join code, [(board, moderator token)]).
async fn create_event(server: &Server) -> (String, String, String, String, Vec<(String, String)>) {
    let (status, created) = server
        .request(
            "POST",
            "/api/events",
            Some(&json!({
                "title": "Kommunen im Dialog", "date": "2027-03-31",
                "boards": [
                    {"title": "Plenum", "kind": "plenary"},
                    {"title": "Workshop Wohnen", "kind": "workshop"}
                ]
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let text = |key: &str| created[key].as_str().expect(key).to_owned();
    let boards = event_boards(&created);
    (
        text("event"),
        text("organiser_token"),
        text("viewer_token"),
        text("join_code"),
        boards,
    )
}

#[tokio::test]
async fn the_event_page_shows_the_shown_photos_of_all_its_boards() {
    let server = Server::start(&[]).await;
    let (event, organiser, viewer, code, boards) = create_event(&server).await;
    let (other_event, _, _, other_code, other_boards) = create_event(&server).await;
    let join = |event: String, code: String| {
        let server = &server;
        async move {
            let (status, body) = server
                .request(
                    "POST",
                    &format!("/api/events/{event}/join"),
                    Some(
                        &json!({"join_code": code, "name": "Ada", "organisation": "Stadt",
                        "sector": "behoerde"}),
                    ),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body["token"].as_str().expect("token").to_owned()
        }
    };
    let ada = join(event.clone(), code).await;
    let stranger = join(other_event.clone(), other_code).await;

    // The plenary's photo is shown, the workshop's one shown and one hidden;
    // another event's photo is not this event's.
    let (plenary, plenary_token) = &boards[0];
    let (workshop, workshop_token) = &boards[1];
    let (shown_plenary, _) = upload(&server, plenary, plenary_token).await;
    let (shown_workshop, _) = upload(&server, workshop, workshop_token).await;
    let (hidden, _) = upload(&server, workshop, workshop_token).await;
    let (status, _) = http_request_as(
        server.addr,
        Some(workshop_token),
        "POST",
        &format!("/api/boards/{workshop}/photos/{hidden}"),
        Some(&json!({"status": "hidden"})),
    )
    .await;
    assert_eq!(status, 204);
    let (elsewhere, _) = upload(&server, &other_boards[0].0, &other_boards[0].1).await;

    let list = format!("/api/events/{event}/photos");
    for token in [&ada, &organiser, &viewer] {
        let (status, body) = http_request_as(server.addr, Some(token), "GET", &list, None).await;
        assert_eq!(status, 200, "{body}");
        let photos = body["photos"].as_array().expect("photos");
        let ids: Vec<&str> = photos.iter().filter_map(|p| p["photo"].as_str()).collect();
        assert_eq!(
            ids,
            [shown_plenary.as_str(), shown_workshop.as_str()],
            "{body}"
        );
        assert_eq!(photos[1]["board"], workshop.as_str());
        assert_eq!(photos[1]["board_title"], "Workshop Wohnen");
        assert!(
            photos[1].get("author").is_none(),
            "who uploaded is not said"
        );
        let (status, head, bytes) = send(
            &server,
            "GET",
            &format!("{list}/{shown_workshop}?size=thumbnail"),
            token,
            "image/jpeg",
            b"",
        )
        .await;
        assert_eq!(status, 200);
        assert!(head.contains("content-type: image/jpeg"), "{head}");
        assert!(image::load_from_memory(&bytes).is_ok());
        for missing in [&hidden, &elsewhere] {
            let (status, _, _) = send(
                &server,
                "GET",
                &format!("{list}/{missing}"),
                token,
                "image/jpeg",
                b"",
            )
            .await;
            assert_eq!(status, 404);
        }
    }
    // A participant of another event, this one's on the other event, none.
    let (status, _) = http_request_as(server.addr, Some(&stranger), "GET", &list, None).await;
    assert_eq!(status, 403);
    let (status, _) = http_request_as(
        server.addr,
        Some(&ada),
        "GET",
        &format!("/api/events/{other_event}/photos"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = http_request_as(server.addr, None, "GET", &list, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_upload_sent_again_with_its_idempotency_key_is_stored_once() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Galerie").await;
    let (_, ada) = server.join(&board, "Ada").await;
    let (_, bea) = server.join(&board, "Bea").await;
    let path = format!("/api/boards/{}/photos", board.id);
    let photo = jpeg(64, 48);
    let keyed = |token: &str, key: &str| {
        let (server, path, photo) = (&server, &path, &photo);
        let (token, header) = (token.to_owned(), format!("Idempotency-Key: {key}\r\n"));
        async move {
            let (status, _, body) =
                send_with(server, "POST", path, &token, "image/jpeg", &header, photo).await;
            let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            (status, answer)
        }
    };
    // Ada's phone sends, the answer is lost, it sends again: one photo.
    let (status, first) = keyed(&ada, "a1b2c3d4e5f6a7b8c9d0e1f2").await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = keyed(&ada, "a1b2c3d4e5f6a7b8c9d0e1f2").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["photo"], first["photo"]);
    assert_eq!(again["status"], "shown");
    assert_eq!(
        listed(&server, &board.id, &board.moderator_token)
            .await
            .len(),
        1
    );
    // The same key from someone else, or another key, is another photo.
    let (status, other) = keyed(&bea, "a1b2c3d4e5f6a7b8c9d0e1f2").await;
    assert_eq!(status, 201, "{other}");
    assert_ne!(other["photo"], first["photo"]);
    let (status, _) = keyed(&ada, "second-photo-of-ada").await;
    assert_eq!(status, 201);
    // Two at once with one key: one photo, both answered with it.
    let (one, two) = tokio::join!(keyed(&ada, "at-once-0001"), keyed(&ada, "at-once-0001"));
    assert_eq!(one.1["photo"], two.1["photo"], "{one:?} {two:?}");
    assert!(
        [one.0, two.0].contains(&201) && [one.0, two.0].iter().all(|s| [200, 201].contains(s)),
        "{one:?} {two:?}"
    );
    assert_eq!(
        listed(&server, &board.id, &board.moderator_token)
            .await
            .len(),
        4
    );
    // A key that is no id is refused before anything is stored.
    for bad in ["short", "with space in it", "ü-not-ascii-key"] {
        let (status, answer) = keyed(&ada, bad).await;
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    assert_eq!(
        listed(&server, &board.id, &board.moderator_token)
            .await
            .len(),
        4
    );
}
