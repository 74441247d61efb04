//! Hostile input: every kind is answered clearly, and the room stays usable
//! for its other clients and for new joiners.

use crate::common::{Client, Server, covers, new_doc, raw_http};
use kartenwand::protocol::update::UpdateSummary;
use kartenwand::protocol::{Message as YMessage, Reader, write_var_u64};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio_tungstenite::tungstenite::Message;
use yrs::{Doc, Map, ReadTxn, Transact, WriteTxn};

/// An honest pair of clients keeps working after the abuse.
async fn assert_room_still_works(server: &Server, board: &crate::common::Board, marker: &str) {
    let mut writer = Client::connect(server, &board.id, &board.moderator_token).await;
    let mut reader = Client::connect(server, &board.id, &board.viewer_token).await;
    writer
        .edit(|_, txn| {
            txn.get_or_insert_map("cards")
                .insert(txn, marker, "noch da");
        })
        .await;
    reader
        .pump_until(
            |c| c.json()["cards"][marker] == "noch da",
            "an honest edit after the abuse",
        )
        .await;
}

#[tokio::test]
async fn random_and_mutated_frames_close_only_the_sender() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Störfeuer").await;
    // A bystander stays connected through all of it.
    let mut bystander = Client::connect(&server, &board.id, &board.viewer_token).await;

    let source = Doc::with_client_id(77);
    let before = source.transact().state_vector();
    {
        let mut txn = source.transact_mut();
        let cards = txn.get_or_insert_map("cards");
        cards.insert(&mut txn, "valid", "Schulsozialarbeit ausbauen");
    }
    let valid_update = source.transact().encode_state_as_update_v1(&before);
    let valid_frame = YMessage::Update(&valid_update).encode();

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut malformed_closes = 0;
    for attempt in 0..120 {
        let frame: Vec<u8> = if attempt % 2 == 0 {
            let len = rng.random_range(0..64);
            (0..len).map(|_| rng.random()).collect()
        } else {
            let mut frame = valid_frame.clone();
            for _ in 0..rng.random_range(1..4) {
                let position = rng.random_range(0..frame.len());
                frame[position] = rng.random();
            }
            frame
        };
        let mut attacker =
            Client::connect_raw(&server, &board.id, &board.moderator_token, new_doc()).await;
        attacker.send_frame(frame).await;
        // Either the frame happened to be valid (then a marker edit goes
        // through) or the server closed the connection with 4400.
        attacker
            .edit(|_, txn| {
                txn.get_or_insert_map("probe")
                    .insert(txn, "n", attempt as i64);
            })
            .await;
        let answered = attacker
            .pump_until_or_closed(
                |c| !c.seen.received_updates.is_empty() || !c.seen.denied.is_empty(),
                "an answer to the probe",
            )
            .await;
        let outcome = if answered {
            None
        } else {
            attacker.seen.closed.clone()
        };
        if let Some((code, reason)) = outcome {
            assert_eq!(
                code, 4400,
                "malformed frames close with 4400, got {code} {reason}"
            );
            assert!(reason.starts_with("malformed message"), "{reason}");
            malformed_closes += 1;
        }
    }
    assert!(
        malformed_closes > 60,
        "most random frames are malformed ({malformed_closes})"
    );

    // The room is usable, and the bystander, connected all along, receives
    // the honest edit that follows the abuse (pump_until fails if its
    // connection closed).
    assert_room_still_works(&server, &board, "after-random").await;
    bystander
        .pump_until(
            |c| c.json()["cards"]["after-random"] == "noch da",
            "the honest edit at the bystander's",
        )
        .await;
}

#[tokio::test]
async fn absurd_declared_lengths_are_refused_at_once() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Riesenzahlen").await;
    let frames: Vec<Vec<u8>> = vec![
        // A sync update claiming 2^63 bytes.
        vec![0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        // An update declaring 2^32 clients in a few bytes.
        YMessage::Update(&[0x80, 0x80, 0x80, 0x80, 0x10, 0]).encode(),
        // A state vector declaring a billion entries.
        YMessage::SyncStep1(&[0x80, 0x94, 0xeb, 0xdc, 0x03]).encode(),
        // An awareness update declaring a billion states.
        YMessage::Awareness(&[0x80, 0x94, 0xeb, 0xdc, 0x03]).encode(),
        // A client id beyond 53 bits.
        YMessage::SyncStep1(&[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0]).encode(),
        // An awareness clock of 2^64 - 1, which no JavaScript client decodes
        // (and which overflowed when its sender left).
        YMessage::Awareness(&[
            1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 2, b'{', b'}',
        ])
        .encode(),
        // An awareness clock of 2^53, the first a JavaScript number rounds.
        YMessage::Awareness(&[
            1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 2, b'{', b'}',
        ])
        .encode(),
    ];
    for frame in frames {
        let mut attacker =
            Client::connect_raw(&server, &board.id, &board.moderator_token, new_doc()).await;
        attacker.send_frame(frame.clone()).await;
        let (code, reason) = attacker.expect_close().await;
        assert_eq!(code, 4400, "frame {frame:?}: {reason}");
    }
    assert_room_still_works(&server, &board, "after-absurd").await;
}

/// Largest protocol message under the default 1 MiB frame cap, with room
/// for the message header (type bytes and payload length).
const MAX_PAYLOAD: usize = (1 << 20) - 8;

/// An update of as many client sections as fit in `budget` bytes, each made
/// by `section` for a distinct three-byte client id.
fn crafted_update(budget: usize, section: impl Fn(&mut Vec<u8>, u64)) -> Vec<u8> {
    let mut sections = Vec::new();
    let mut count = 0u64;
    let mut next = Vec::new();
    loop {
        next.clear();
        section(&mut next, 16_384 + count);
        // Room for the section count (three bytes) and the empty delete set.
        if sections.len() + next.len() + 4 > budget {
            break;
        }
        sections.extend_from_slice(&next);
        count += 1;
    }
    let mut update = Vec::with_capacity(budget);
    write_var_u64(&mut update, count);
    update.extend_from_slice(&sections);
    update.push(0);
    update
}

#[tokio::test]
async fn maximum_size_crafted_frames_are_handled_and_the_server_keeps_serving() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Schwergewicht").await;

    // ~210,000 empty client sections: valid, and empty.
    let empty_sections = crafted_update(MAX_PAYLOAD, |out, client| {
        out.push(0);
        write_var_u64(out, client);
        out.push(0);
    });
    // The same, with the first client repeated in the last section.
    let mut duplicate = crafted_update(MAX_PAYLOAD - 8, |out, client| {
        out.push(0);
        write_var_u64(out, client);
        out.push(0);
    });
    duplicate.pop();
    duplicate.extend_from_slice(&[0, 0x80, 0x80, 0x01, 0, 0]);
    let sections = Reader::new(&duplicate).var_u64().expect("count");
    let mut recounted = Vec::new();
    write_var_u64(&mut recounted, sections + 1);
    assert_eq!(recounted.len(), 3, "the count keeps its width");
    duplicate.splice(0..3, recounted);
    // ~95,000 one-character items, each from its own client, for a viewer:
    // refusing it writes a delete set of as many clients.
    let many_items = crafted_update(MAX_PAYLOAD, |out, client| {
        out.push(1);
        write_var_u64(out, client);
        // clock 0; a string item without origins in the root type "x".
        out.extend_from_slice(&[0, 4, 1, 1, b'x', 1, b'a']);
    });
    assert!(
        UpdateSummary::parse(&many_items)
            .expect("the crafted update is valid")
            .items
            .len()
            > 90_000
    );
    // ~150,000 awareness states.
    let mut states = Vec::new();
    let mut count = 0u64;
    while states.len() + 7 + 4 <= MAX_PAYLOAD {
        write_var_u64(&mut states, 16_384 + count);
        states.extend_from_slice(&[1, 2, b'{', b'}']);
        count += 1;
    }
    let mut awareness_update = Vec::new();
    write_var_u64(&mut awareness_update, count);
    awareness_update.extend_from_slice(&states);

    let frames = [
        (
            board.moderator_token.clone(),
            YMessage::Update(&empty_sections).encode(),
        ),
        (
            board.moderator_token.clone(),
            YMessage::Update(&empty_sections).encode(),
        ),
        (
            board.moderator_token.clone(),
            YMessage::Update(&duplicate).encode(),
        ),
        (
            board.moderator_token.clone(),
            YMessage::Update(&duplicate).encode(),
        ),
        (
            board.viewer_token.clone(),
            YMessage::Update(&many_items).encode(),
        ),
        (
            board.viewer_token.clone(),
            YMessage::Awareness(&awareness_update).encode(),
        ),
    ];
    let mut attackers = Vec::new();
    for (token, frame) in &frames {
        assert!(frame.len() <= 1 << 20, "{} bytes", frame.len());
        attackers.push(Client::connect_raw(&server, &board.id, token, new_doc()).await);
    }
    // All at once, so that quadratic work would occupy every worker.
    for (attacker, (_, frame)) in attackers.iter_mut().zip(&frames) {
        attacker.send_frame(frame.clone()).await;
    }
    // The server keeps answering within the usual (generous) wait.
    let (status, _) = server.request("GET", "/healthz", None).await;
    assert_eq!(status, 200, "/healthz while the crafted frames are handled");
    assert_room_still_works(&server, &board, "after-heavy").await;

    let mut attackers = attackers.into_iter();
    for mut valid in attackers.by_ref().take(2) {
        valid
            .edit(|_, txn| {
                txn.get_or_insert_map("probe").insert(txn, "n", 1);
            })
            .await;
        valid
            .pump_until(
                |c| !c.seen.received_updates.is_empty(),
                "the echo after an empty update",
            )
            .await;
    }
    for mut duplicated in attackers.by_ref().take(2) {
        let (code, reason) = duplicated.expect_close().await;
        assert_eq!(code, 4400, "{reason}");
        assert!(reason.contains("client"), "{reason}");
    }
    let mut viewer = attackers.next().expect("the viewer");
    viewer
        .pump_until(
            |c| !c.seen.denied.is_empty() && !c.seen.received_updates.is_empty(),
            "the refusal and the revert",
        )
        .await;
    assert!(
        viewer.seen.denied[0].contains("viewers"),
        "{:?}",
        viewer.seen.denied
    );
    let mut presence = attackers.next().expect("the awareness sender");
    presence
        .pump_until(|c| !c.seen.denied.is_empty(), "the awareness refusal")
        .await;
    assert!(
        presence.seen.denied[0].contains("too many awareness states"),
        "{:?}",
        presence.seen.denied
    );
}

#[tokio::test]
async fn an_update_with_missing_dependencies_is_refused_and_the_sender_resyncs() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Lücken").await;
    let mut bystander = Client::connect(&server, &board.id, &board.viewer_token).await;

    let local = Doc::with_client_id(99);
    let mut client = Client::connect_with(&server, &board.id, &board.moderator_token, local).await;
    // Two updates where the second depends on the first; send only the second.
    let sv0 = client.doc.transact().state_vector();
    {
        let mut txn = client.doc.transact_mut();
        txn.get_or_insert_map("cards")
            .insert(&mut txn, "first", "erste");
    }
    let sv1 = client.doc.transact().state_vector();
    {
        let mut txn = client.doc.transact_mut();
        txn.get_or_insert_map("cards")
            .insert(&mut txn, "second", "zweite");
    }
    let _first = client.doc.transact().encode_state_as_update_v1(&sv0);
    let second = client.doc.transact().encode_state_as_update_v1(&sv1);
    client.send_message(YMessage::Update(&second)).await;

    // The server says why and asks for what it lacks (its sync step 1); the
    // client answers with a step 2 holding both changes, which is accepted.
    client
        .pump_until(
            |c| !c.seen.denied.is_empty() && !c.seen.received_updates.is_empty(),
            "the refusal, then the echo of the resync",
        )
        .await;
    assert!(
        client.seen.denied[0].contains("depends on"),
        "{:?}",
        client.seen.denied
    );
    bystander
        .pump_until(
            |c| c.json()["cards"]["first"] == "erste" && c.json()["cards"]["second"] == "zweite",
            "both changes after the resync",
        )
        .await;
    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    assert_eq!(late.json()["cards"]["second"], "zweite");
}

#[tokio::test]
async fn oversized_and_text_frames_get_their_close_codes() {
    let server = Server::start(&["--max-frame-bytes", "65536"]).await;
    let board = server.create_board("Zu groß").await;

    let mut big = Client::connect(&server, &board.id, &board.moderator_token).await;
    let huge_text = "x".repeat(70_000);
    big.edit(|_, txn| {
        txn.get_or_insert_map("cards")
            .insert(txn, "huge", huge_text.as_str());
    })
    .await;
    let (code, _) = big.expect_close().await;
    assert_eq!(code, 1009);

    let mut text = Client::connect(&server, &board.id, &board.moderator_token).await;
    text.send_raw(Message::Text("hallo".into())).await;
    let (code, reason) = text.expect_close().await;
    assert_eq!(code, 4400, "{reason}");

    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    assert!(
        late.json()["cards"].get("huge").is_none(),
        "the oversized update was not applied"
    );
    assert_room_still_works(&server, &board, "after-big").await;
}

#[tokio::test]
async fn viewers_cannot_write_and_nothing_of_it_is_relayed_or_stored() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Nur schauen").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut viewer = Client::connect(&server, &board.id, &board.viewer_token).await;
    viewer
        .edit(|_, txn| {
            txn.get_or_insert_map("cards")
                .insert(txn, "viewer", "darf nicht");
        })
        .await;
    viewer
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    assert!(
        viewer.seen.denied[0].contains("viewers"),
        "{:?}",
        viewer.seen.denied
    );
    // A later legal edit arrives; the viewer's edit never does.
    moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("cards")
                .insert(txn, "moderator", "ok");
        })
        .await;
    moderator
        .pump_until(|c| !c.seen.received_updates.is_empty(), "the echo")
        .await;
    assert!(moderator.json()["cards"].get("viewer").is_none());
    let late = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert!(
        late.json()["cards"].get("viewer").is_none(),
        "not stored either"
    );
    assert_eq!(late.json()["cards"]["moderator"], "ok");
}

/// A server that lets one client write large updates quickly.
async fn start_for_bulk_writes() -> Server {
    Server::start(&[
        "--messages-per-second",
        "100000",
        "--message-burst",
        "100000",
        "--max-document-bytes",
        "200000000",
    ])
    .await
}

/// Writes one card and waits for the server's echo, so the room relays it
/// in a frame of its own (it merges updates that arrive together).
async fn set_card_and_await_echo(writer: &mut Client, key: &str, value: String) {
    writer
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").insert(txn, key, value);
        })
        .await;
    writer
        .pump_until(Client::all_echoed, "the writer's echo")
        .await;
}

#[tokio::test]
async fn a_peer_that_stops_reading_is_closed_with_1013_and_the_room_goes_on() {
    let server = start_for_bulk_writes().await;
    let board = server.create_board("Funkloch").await;
    let mut stalled = Client::connect(&server, &board.id, &board.viewer_token).await;
    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;

    // Large updates fill the socket buffers towards the stalled peer (a few
    // MiB on loopback), then many small ones its outbox (1,024 frames).
    // The writer waits for each echo, so the room relays each update in a
    // frame of its own (it merges updates that arrive together).
    let large = "x".repeat(900 * 1024);
    for n in 0..1430 {
        let value = if n < 30 { large.clone() } else { n.to_string() };
        set_card_and_await_echo(&mut writer, &format!("k{n}"), value).await;
    }
    // The stalled peer reads again: what was queued, then the close.
    let (code, reason) = stalled.expect_close().await;
    assert_eq!(code, 1013, "{reason}");
    set_card_and_await_echo(&mut writer, "nach-dem-funkloch", "noch da".into()).await;
}

#[tokio::test]
async fn a_peer_that_reads_late_gets_every_frame_whole_and_in_order() {
    let server = start_for_bulk_writes().await;
    let board = server.create_board("Spät").await;
    let mut late = Client::connect(&server, &board.id, &board.viewer_token).await;
    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;

    // More than the socket buffers hold towards the late reader, so the
    // server writes frames in parts and queues the rest behind them, but
    // fewer frames than would make it too slow.
    let large = "y".repeat(700 * 1024);
    for n in 0..60 {
        let value = if n % 2 == 0 {
            large.clone()
        } else {
            n.to_string()
        };
        set_card_and_await_echo(&mut writer, &format!("k{n}"), value).await;
    }
    let want = writer.state_vector();
    late.pump_until(
        |client| covers(&client.state_vector(), &want),
        "every update at the late reader",
    )
    .await;
    assert_eq!(late.json(), writer.json());
}

#[tokio::test]
async fn a_request_that_is_no_websocket_upgrade_gets_a_clear_400() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Kein Websocket").await;
    let path = format!("/ws/{}?token={}", board.id, board.moderator_token);
    let cases = [
        ("no upgrade headers", String::new()),
        (
            "wrong version",
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n".to_owned(),
        ),
        (
            "no key",
            "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n".to_owned(),
        ),
    ];
    for (case, headers) in cases {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
        let (status, answer) = raw_http(server.addr, raw.as_bytes()).await;
        assert_eq!(status, 400, "{case}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("not a websocket upgrade")),
            "{case}: {answer}"
        );
    }
}

/// The frames a server sent: opcode and payload of each complete one.
fn server_frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, header) = match bytes[1] & 0x7f {
            126 if bytes.len() >= 4 => (usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
            127 if bytes.len() >= 10 => {
                let mut len = [0; 8];
                len.copy_from_slice(&bytes[2..10]);
                (usize::try_from(u64::from_be_bytes(len)).expect("fits"), 10)
            }
            126 | 127 => break,
            len => (usize::from(len), 2),
        };
        if bytes.len() < header + len {
            break;
        }
        frames.push((opcode, bytes[header..header + len].to_vec()));
        bytes = &bytes[header + len..];
    }
    frames
}

/// A raw TCP connection upgraded to a websocket by hand, so a test can send
/// bytes no websocket library would write.
async fn raw_upgrade(server: &Server, board: &str, token: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connects");
    let request = format!(
        "GET /ws/{board}?token={token} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("writes");
    stream
}

/// Reads a raw connection until the server sent a close frame; returns
/// every frame it sent. Fails if the connection ends without one, or
/// nothing closes it within `seconds`.
async fn frames_until_close(
    stream: &mut tokio::net::TcpStream,
    seconds: u64,
    what: &str,
) -> Vec<(u8, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut received = Vec::new();
    loop {
        let mut chunk = [0; 4096];
        let read = tokio::time::timeout_at(deadline, stream.read(&mut chunk))
            .await
            .unwrap_or_else(|_| panic!("{what}: no close frame within {seconds} s"))
            .unwrap_or_else(|error| {
                panic!("{what}: reading failed ({error}) before a close frame")
            });
        assert!(
            read > 0,
            "{what}: the connection ended without a close frame"
        );
        received.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&received);
        let Some(head) = text.find("\r\n\r\n") else {
            continue;
        };
        assert!(text.starts_with("HTTP/1.1 101"), "{what}: {text}");
        let frames = server_frames(&received[head + 4..]);
        if frames.iter().any(|(opcode, _)| *opcode == 0x8) {
            return frames;
        }
    }
}

#[tokio::test]
async fn websocket_protocol_violations_are_closed_with_rfc_6455_codes() {
    use tokio::io::AsyncWriteExt;
    let server = Server::start(&[]).await;
    let board = server.create_board("Rahmenbruch").await;
    // A client frame as RFC 6455 wants it (masked), with a given first byte.
    let masked = |first: u8, payload: &[u8]| {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let len = u8::try_from(payload.len()).expect("short");
        let mut frame = vec![first, 0x80 | len];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
        frame
    };
    let sync_step1 = YMessage::SyncStep1(&[0]).encode();
    let mut unmasked = vec![0x82, u8::try_from(sync_step1.len()).expect("short")];
    unmasked.extend_from_slice(&sync_step1);
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("an unmasked client frame", unmasked, 1002),
        (
            "reserved bit RSV1 without an extension",
            masked(0xc2, &sync_step1),
            1002,
        ),
        ("reserved data opcode 0x3", masked(0x83, b"x"), 1002),
        ("a fragmented ping", masked(0x09, b"x"), 1002),
        (
            "a text frame that is not UTF-8",
            masked(0x81, &[0x4b, 0xff, 0xfe]),
            1007,
        ),
    ];
    for (what, frame, code) in cases {
        let mut stream = raw_upgrade(&server, &board.id, &board.moderator_token).await;
        stream.write_all(&frame).await.expect("writes");
        let frames = frames_until_close(&mut stream, 15, what).await;
        let (_, close) = frames
            .iter()
            .find(|(opcode, _)| *opcode == 0x8)
            .expect("a close frame");
        assert_eq!(u16::from_be_bytes([close[0], close[1]]), code, "{what}");
    }
    assert_room_still_works(&server, &board, "after-violations").await;
}

#[tokio::test]
async fn a_peer_that_never_answers_gets_pings_then_1001() {
    let server = Server::start(&["--ping-seconds", "1"]).await;
    let board = server.create_board("Stille").await;
    // A raw socket that reads but never answers, not even a ping.
    let mut stream = raw_upgrade(&server, &board.id, &board.viewer_token).await;
    // Silence is judged after 2 × 1 s + 5 s.
    let frames = frames_until_close(&mut stream, 30, "a silent peer").await;
    let pings = frames.iter().filter(|(opcode, _)| *opcode == 0x9).count();
    assert!(pings >= 2, "{pings} pings before the close");
    let (_, close) = frames
        .iter()
        .find(|(opcode, _)| *opcode == 0x8)
        .expect("a close frame");
    assert_eq!(u16::from_be_bytes([close[0], close[1]]), 1001);
    assert_eq!(&close[2..], b"no sign of life, reconnect");
}

/// Realistic frames of every kind from one source document: map, array and
/// text inserts, deletes that build on them, a full state, a state vector,
/// awareness. The first three updates are also returned on their own.
fn frame_corpus() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let source = Doc::with_client_id(4_711);
    let mut updates = Vec::new();
    let mut step = |change: &dyn Fn(&mut yrs::TransactionMut<'_>)| {
        let before = source.transact().state_vector();
        change(&mut source.transact_mut());
        updates.push(source.transact().encode_state_as_update_v1(&before));
    };
    step(&|txn| {
        let cards = txn.get_or_insert_map("cards");
        let card = cards.insert(txn, "cardFuzz00001", yrs::MapPrelim::default());
        card.insert(txn, "text", "Kita-Plätze fehlen");
        card.insert(txn, "kind", "need");
        card.insert(txn, "author", "moderator");
    });
    step(&|txn| {
        let list = txn.get_or_insert_array("agenda");
        yrs::Array::insert_range(&list, txn, 0, ["Begrüßung", "Block 1", "Pause"]);
    });
    step(&|txn| {
        let notes = txn.get_or_insert_text("notes");
        yrs::Text::insert(&notes, txn, 0, "Größe für Kitas, Übergänge");
    });
    step(&|txn| {
        txn.get_or_insert_map("cards").remove(txn, "cardFuzz00001");
    });
    step(&|txn| {
        let list = txn.get_or_insert_array("agenda");
        yrs::Array::remove_range(&list, txn, 1, 1);
        yrs::Array::push_back(&list, txn, 42.0);
    });
    step(&|txn| {
        let notes = txn.get_or_insert_text("notes");
        yrs::Text::remove_range(&notes, txn, 0, 6);
    });
    let full = source
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    let state_vector = yrs::updates::encoder::Encode::encode_v1(&source.transact().state_vector());
    let awareness = kartenwand::protocol::awareness::encode([
        kartenwand::protocol::awareness::AwarenessEntry {
            client: 4_711,
            clock: 3,
            state: r##"{"user":{"name":"Aylin","color":"#30bced"}}"##,
        },
    ]);
    let mut frames: Vec<Vec<u8>> = updates
        .iter()
        .map(|update| YMessage::Update(update).encode())
        .collect();
    frames.push(YMessage::SyncStep2(&full).encode());
    frames.push(YMessage::SyncStep1(&state_vector).encode());
    frames.push(YMessage::Awareness(&awareness).encode());
    (frames, updates[..3].to_vec())
}

/// One to four random changes: flip, insert or remove a byte, cut the end,
/// repeat a slice, or plant a varint continuation byte.
fn mutate(rng: &mut ChaCha8Rng, frame: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..=4) {
        let len = frame.len();
        let at = rng.random_range(0..len.max(1));
        match rng.random_range(0..6) {
            0 if len > 0 => frame[at] ^= 1 << rng.random_range(0..8),
            1 => frame.insert(at.min(len), rng.random()),
            2 if len > 1 => {
                frame.remove(at);
            }
            3 if len > 1 => frame.truncate(at.max(1)),
            4 if len > 0 => {
                let end = rng.random_range(at..=len);
                let slice = frame[at..end].to_vec();
                frame.extend_from_slice(&slice);
            }
            _ if len > 0 => frame[at] = if rng.random() { 0xff } else { 0x80 },
            _ => frame.push(rng.random()),
        }
    }
}

#[tokio::test]
async fn mutated_frames_of_every_kind_leave_a_room_that_converges() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Mutationen").await;
    let (_, participant_token) = server.join(&board, "Mallory").await;
    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut reader = Client::connect(&server, &board.id, &board.viewer_token).await;
    let (corpus, bases) = frame_corpus();
    // Half of the deletes find what they delete.
    let mut seeder = Client::connect(&server, &board.id, &board.moderator_token).await;
    for update in &bases {
        seeder.send_message(YMessage::Update(update)).await;
    }

    let mut rng = ChaCha8Rng::seed_from_u64(2_024);
    let step2s = |c: &Client| {
        c.seen
            .frames
            .iter()
            .filter(|f| f.starts_with(&[0, 1]))
            .count()
    };
    let mut attacker: Option<Client> = None;
    let (mut sent, mut closes) = (0, 0);
    for attempt in 0..300 {
        let mut frame = corpus[rng.random_range(0..corpus.len())].clone();
        mutate(&mut rng, &mut frame);
        let token = if rng.random_bool(0.3) {
            &participant_token
        } else {
            &board.moderator_token
        };
        let mut client = match attacker.take() {
            Some(client) => client,
            None => {
                let mut client = Client::connect_raw(&server, &board.id, token, new_doc()).await;
                client.passive = true;
                client
            }
        };
        client.send_frame(frame).await;
        sent += 1;
        // A sync step 1 behind it: its answer comes after whatever the
        // mutated frame caused, unless the server closed the connection.
        let before = step2s(&client);
        client
            .send_message(YMessage::SyncStep1(
                &yrs::updates::encoder::Encode::encode_v1(&client.state_vector()),
            ))
            .await;
        if client
            .pump_until_or_closed(|c| step2s(c) > before, "the answer behind a mutated frame")
            .await
        {
            attacker = Some(client);
        } else {
            let (code, reason) = client.seen.closed.clone().unwrap_or_default();
            assert!(
                matches!(code, 4400 | 4403),
                "attempt {attempt}: closed with {code} {reason}"
            );
            assert!(
                !reason.is_empty(),
                "attempt {attempt}: a close without a reason"
            );
            closes += 1;
        }
        if attempt % 25 == 0 {
            // Honest edits go on in between.
            writer
                .edit(|_, txn| {
                    txn.get_or_insert_map("probe").insert(
                        txn,
                        format!("n{attempt}"),
                        attempt as i64,
                    );
                })
                .await;
        }
    }
    assert!(
        closes > 0 && closes < sent,
        "{closes} of {sent} attempts closed"
    );

    // The honest writer's last edit reaches the reader, and a newcomer
    // gets exactly what the reader has.
    writer
        .edit(|_, txn| {
            txn.get_or_insert_map("probe")
                .insert(txn, "last", "noch da");
        })
        .await;
    writer
        .pump_until(|c| c.all_echoed(), "the writer's echoes")
        .await;
    reader
        .pump_until(
            |c| c.json()["probe"]["last"] == "noch da",
            "the last honest edit",
        )
        .await;
    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    reader
        .pump_until(
            |c| covers(&c.state_vector(), &late.state_vector()),
            "the reader to have what a newcomer gets",
        )
        .await;
    assert_eq!(
        late.json(),
        reader.json(),
        "a newcomer and the reader agree"
    );
    assert_eq!(writer.json()["probe"], reader.json()["probe"]);
    let (status, _) = server.request("GET", "/healthz", None).await;
    assert_eq!(status, 200);
}
