//! `/metrics` after a scripted session, read with a Prometheus text-format
//! parser: the counters say exactly what happened (updates received,
//! relayed and refused by reason, one export, connections by role), the
//! histograms have buckets, a sum and a count; and `--metrics-token` keeps
//! everyone else out. Then the rooms' housekeeping: compactions, awareness
//! expiries and idle evictions.

use crate::common::frames::{awareness_frame, has_state};
use crate::common::http::exchange;
use crate::common::rights::CLUSTER;
use crate::common::{Client, Server, WAIT, create_card, put, set};
use prometheus_parse::{Sample, Scrape, Value};
use std::time::Duration;

const TOKEN: &str = "scrape-me-9f2c";

/// Status and body of `GET path` with this `Authorization` header line.
async fn get(server: &Server, path: &str, authorization: &str) -> (u16, String) {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{authorization}Connection: close\r\n\r\n",
        server.addr
    );
    let response = exchange(server.addr, request.as_bytes()).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .unwrap_or("");
    (status, body.to_owned())
}

async fn scrape(server: &Server) -> Scrape {
    let (status, body) = get(
        server,
        "/metrics",
        &format!("Authorization: Bearer {TOKEN}\r\n"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    Scrape::parse(body.lines().map(|line| Ok(line.to_owned()))).expect("Prometheus text format")
}

/// The one sample of `name` whose labels include `labels`.
fn sample<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> &'a Sample {
    let found: Vec<&Sample> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
        .collect();
    assert_eq!(found.len(), 1, "one {name}{labels:?}, got {found:?}");
    found[0]
}

fn counter(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    match sample(scrape, name, labels).value {
        Value::Counter(value) => value,
        ref other => panic!("{name} is not a counter: {other:?}"),
    }
}

fn gauge(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    match sample(scrape, name, labels).value {
        Value::Gauge(value) => value,
        ref other => panic!("{name} is not a gauge: {other:?}"),
    }
}

/// A histogram's observation count, after checking its shape: buckets in
/// rising order with cumulative counts, ending in `+Inf` == `_count`, and
/// a `_sum`.
fn histogram(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let Value::Histogram(buckets) = &sample(scrape, name, labels).value else {
        panic!("{name} is not a histogram");
    };
    assert!(buckets.len() > 2, "{name} has buckets");
    for pair in buckets.windows(2) {
        assert!(
            pair[0].less_than < pair[1].less_than,
            "{name}: rising bounds"
        );
        assert!(pair[0].count <= pair[1].count, "{name}: cumulative counts");
    }
    let last = buckets.last().expect("buckets");
    assert!(last.less_than.is_infinite(), "{name} ends with +Inf");
    let untyped = |suffix: &str| match sample(scrape, &format!("{name}{suffix}"), labels).value {
        Value::Untyped(value) => value,
        ref other => panic!("{name}{suffix}: {other:?}"),
    };
    assert_eq!(untyped("_count"), last.count, "{name}: +Inf == _count");
    let sum = untyped("_sum");
    assert!(
        sum >= 0.0 && (last.count > 0.0 || sum == 0.0),
        "{name}_sum {sum}"
    );
    last.count
}

#[tokio::test]
async fn metrics_count_a_scripted_session_and_need_the_token() {
    let server = Server::start(&["--metrics-token", TOKEN]).await;

    // The access rule: no token 401, another token 403, the token 200.
    assert_eq!(get(&server, "/metrics", "").await.0, 401);
    for (wrong, refused) in [
        ("Bearer wrong", 403),
        ("Bearer scrape-me-9f2", 403),
        ("Bearer scrape-me-9f2cc", 403),
        ("Basic c2NyYXBl", 401),
    ] {
        let header = format!("Authorization: {wrong}\r\n");
        assert_eq!(
            get(&server, "/metrics", &header).await.0,
            refused,
            "{wrong}"
        );
    }
    let before = scrape(&server).await;
    assert_eq!(
        gauge(
            &before,
            "kartenwand_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    assert_eq!(gauge(&before, "kartenwand_live_boards", &[]), 0.0);

    let board = server.create_board("Messwerte").await;
    let (alice_id, alice_token) = server.join(&board, "Alice").await;
    // Each connect: the client answers the room's sync step 1 with a sync
    // step 2, an update (empty here): 2 received.
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut alice = Client::connect(&server, &board.id, &alice_token).await;

    // Two edits, each relayed to both peers once committed: 4 received,
    // 4 deliveries.
    moderator
        .edit(|_, txn| put(txn, "clusters", CLUSTER, &[("title", "Kita".into())]))
        .await;
    alice
        .pump_until(
            |c| c.json()["clusters"][CLUSTER]["title"] == "Kita",
            "the cluster",
        )
        .await;
    moderator
        .pump_until(|c| c.all_echoed(), "the moderator's echo")
        .await;
    let id = alice_id.clone();
    alice
        .edit(|_, txn| create_card(txn, "cardAlice0001", &id, "Plätze fehlen"))
        .await;
    moderator
        .pump_until(
            |c| c.json()["cards"]["cardAlice0001"].is_object(),
            "the card",
        )
        .await;
    alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;

    // Alice renames the moderator's cluster: refused (ownership), 5
    // received. The server writes the title back; that relay goes to both.
    let relayed_before = counter(
        &scrape(&server).await,
        "kartenwand_updates_relayed_total",
        &[],
    );
    alice
        .edit(|_, txn| set(txn, "clusters", CLUSTER, "title", "Umbenannt".into()))
        .await;
    alice
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    alice
        .pump_until(
            |c| c.json()["clusters"][CLUSTER]["title"] == "Kita",
            "the title back",
        )
        .await;

    // One export.
    let (status, _) = get(
        &server,
        &format!("/api/boards/{}/export.md", board.id),
        &format!("Authorization: Bearer {}\r\n", board.moderator_token),
    )
    .await;
    assert_eq!(status, 200);

    let after = scrape(&server).await;
    let counter = |name: &str, labels: &[(&str, &str)]| counter(&after, name, labels);
    assert_eq!(counter("kartenwand_updates_received_total", &[]), 5.0);
    assert_eq!(relayed_before, 4.0, "two edits, each to two peers");
    let relayed = counter("kartenwand_updates_relayed_total", &[]);
    assert_eq!(relayed, 6.0, "and the written-back title to both");
    assert_eq!(
        counter(
            "kartenwand_updates_refused_total",
            &[("reason", "ownership")]
        ),
        1.0
    );
    for reason in ["viewer", "schema", "client_id", "size_limit"] {
        assert_eq!(
            counter("kartenwand_updates_refused_total", &[("reason", reason)]),
            0.0,
            "{reason}"
        );
    }
    assert!(counter("kartenwand_received_bytes_total", &[]) > 0.0);
    assert!(counter("kartenwand_sent_bytes_total", &[]) > 0.0);
    assert_eq!(counter("kartenwand_compactions_total", &[]), 0.0);
    assert_eq!(counter("kartenwand_idle_room_evictions_total", &[]), 0.0);
    assert_eq!(counter("kartenwand_awareness_expiries_total", &[]), 0.0);

    for (role, open) in [("moderator", 1.0), ("participant", 1.0), ("viewer", 0.0)] {
        assert_eq!(
            gauge(&after, "kartenwand_connections", &[("role", role)]),
            open,
            "{role}"
        );
    }
    assert_eq!(gauge(&after, "kartenwand_live_boards", &[]), 1.0);
    // Two websockets and the scrape itself, at least.
    assert!(gauge(&after, "kartenwand_open_connections", &[]) >= 3.0);
    for kind in ["board_creation", "join", "code_lookup", "connection"] {
        assert_eq!(
            counter("kartenwand_throttled_total", &[("kind", kind)]),
            0.0,
            "{kind}"
        );
    }

    assert_eq!(
        histogram(&after, "kartenwand_export_seconds", &[("format", "md")]),
        1.0
    );
    for format in ["html", "pdf", "docx", "csv", "json"] {
        assert_eq!(
            histogram(&after, "kartenwand_export_seconds", &[("format", format)]),
            0.0,
            "{format}"
        );
    }
    // One write per accepted edit, at least (the refusal's write-back too).
    assert!(histogram(&after, "kartenwand_store_commit_seconds", &[]) >= 3.0);
    // One observation per relayed update: the two edits and the write-back.
    assert_eq!(histogram(&after, "kartenwand_fan_out_seconds", &[]), 3.0);

    // A closed connection leaves the gauge.
    alice.close().await;
    let mut open = 1.0;
    for _ in 0..200 {
        open = gauge(
            &scrape(&server).await,
            "kartenwand_connections",
            &[("role", "participant")],
        );
        if open == 0.0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(open, 0.0, "Alice's connection is no longer counted");
    drop(moderator);
}

/// Polls `/metrics` until `done` holds for it; panics after [`WAIT`].
async fn scrape_until(server: &Server, done: impl Fn(&Scrape) -> bool, what: &str) -> Scrape {
    let polled = async {
        loop {
            let scraped = scrape(server).await;
            if done(&scraped) {
                return scraped;
            }
            // The room sweeps once a second: no need to ask more often.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(WAIT, polled)
        .await
        .unwrap_or_else(|_| panic!("{what} within the wait"))
}

/// The room's housekeeping is counted: a compaction (after every update
/// here), an awareness state that expired, and the idle room's eviction.
#[tokio::test]
async fn compactions_awareness_expiries_and_idle_evictions_are_counted() {
    let server = Server::start(&[
        "--metrics-token",
        TOKEN,
        "--compact-after-updates",
        "1",
        "--awareness-timeout-seconds",
        "1",
        "--idle-room-seconds",
        "1",
    ])
    .await;
    let board = server.create_board("Aufräumen").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .edit(|_, txn| put(txn, "clusters", CLUSTER, &[("title", "Kita".into())]))
        .await;
    moderator.pump_until(|c| c.all_echoed(), "the echo").await;
    let awareness = moderator.doc.client_id().get();
    moderator
        .send_frame(awareness_frame(&[(
            awareness,
            1,
            r#"{"user":{"name":"Moderation"}}"#,
        )]))
        .await;
    moderator
        .pump_until(|c| has_state(c, "Moderation"), "the state relayed")
        .await;

    let count = |name: &'static str| move |s: &Scrape| counter(s, name, &[]) >= 1.0;
    let compacted = scrape_until(
        &server,
        count("kartenwand_compactions_total"),
        "a compaction",
    )
    .await;
    assert_eq!(
        counter(&compacted, "kartenwand_idle_room_evictions_total", &[]),
        0.0
    );
    scrape_until(
        &server,
        count("kartenwand_awareness_expiries_total"),
        "the state's expiry",
    )
    .await;

    moderator.close().await;
    let evicted = scrape_until(
        &server,
        count("kartenwand_idle_room_evictions_total"),
        "the idle room's eviction",
    )
    .await;
    assert_eq!(
        counter(&evicted, "kartenwand_idle_room_evictions_total", &[]),
        1.0
    );
    assert_eq!(gauge(&evicted, "kartenwand_live_boards", &[]), 0.0);
    assert_eq!(
        gauge(&evicted, "kartenwand_connections", &[("role", "moderator")]),
        0.0
    );
}
