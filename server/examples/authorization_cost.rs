//! What the ownership check costs per update, next to the rest of the work
//! the server does for it: validating the frame, applying it with yrs, and
//! appending it durably to SQLite. Fan-out to peers is not included (it does
//! not depend on the check).
//!
//! A board with 50 participants (profiles, three cards each) and three
//! clusters; then every participant in turn edits the text of one of their
//! cards or writes a new one, 2,000 updates in all, each processed the way
//! the room does.
//!
//! Run: `cargo run --release -p kartenwand --example authorization_cost`

use kartenwand::auth::ownership;
use kartenwand::board::BoardView;
use kartenwand::board::places::PlaceIndex;
use kartenwand::protocol::update::UpdateSummary;
use kartenwand::store::{SqliteStore, Store, Synchronous};
use std::time::{Duration, Instant};
use yrs::updates::decoder::Decode;
use yrs::{
    Doc, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, TransactionMut, Update, WriteTxn,
};

const PARTICIPANTS: usize = 50;
const UPDATES: usize = 2000;

/// An edit as a Yjs client sends it: only the transaction's own changes
/// (its inserts and its deletions, not the document's whole delete set).
fn edit(doc: &Doc, change: impl FnOnce(&mut TransactionMut<'_>)) -> Vec<u8> {
    let mut txn = doc.transact_mut();
    change(&mut txn);
    txn.encode_update_v1()
}

fn new_card(txn: &mut TransactionMut<'_>, id: &str, author: &str, n: usize) {
    let cards = txn.get_or_insert_map("cards");
    let card = cards.insert(txn, id, MapPrelim::default());
    card.insert(
        txn,
        "text",
        format!("Bedarf Nummer {n}: Kita-Plätze für Kinder in Sprachkursen"),
    );
    card.insert(txn, "kind", "need");
    card.insert(txn, "author", author);
    card.insert(txn, "createdAt", 1_741_079_400_000.0 + n as f64);
}

#[derive(Default)]
struct Totals {
    validate: Duration,
    authorize: Duration,
    apply: Duration,
    persist: Duration,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        SqliteStore::open(&dir.path().join("bench.db"), Synchronous::Normal).expect("store");
    let server = Doc::new();
    let mut index = PlaceIndex::default();
    let participants: Vec<(String, Doc)> = (0..PARTICIPANTS)
        .map(|p| {
            (
                format!("participant{p:04}"),
                Doc::with_client_id(1000 + p as u64),
            )
        })
        .collect();
    let moderator = Doc::with_client_id(1);

    // Set-up, applied without measuring.
    let mut setup = vec![edit(&moderator, |txn| {
        let clusters = txn.get_or_insert_map("clusters");
        for c in 0..3 {
            let cluster = clusters.insert(txn, format!("cluster{c:04}"), MapPrelim::default());
            cluster.insert(txn, "title", format!("Bedarfsgruppe {c}"));
        }
    })];
    for (p, (id, doc)) in participants.iter().enumerate() {
        setup.push(edit(doc, |txn| {
            let people = txn.get_or_insert_map("participants");
            let me = people.insert(txn, id.as_str(), MapPrelim::default());
            me.insert(txn, "name", format!("Teilnehmer {p}"));
            me.insert(txn, "sector", "stadtteil");
            for n in 0..3 {
                new_card(txn, &format!("card{p:04}x{n:04}"), id, n);
            }
        }));
    }
    for update in &setup {
        index.record_update(&UpdateSummary::parse(update).expect("valid"));
        server
            .transact_mut()
            .apply_update(Update::decode_v1(update).expect("decodes"))
            .expect("applies");
    }
    let full = server
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    for (_, doc) in &participants {
        doc.transact_mut()
            .apply_update(Update::decode_v1(&full).expect("decodes"))
            .expect("applies");
    }

    // The room keeps the deleted ids up to date with each transaction.
    let mut deleted = server.transact().snapshot().delete_set;
    let mut totals = Totals::default();
    let mut refused = 0;
    for round in 0..UPDATES {
        let p = round % PARTICIPANTS;
        let (id, doc) = &participants[p];
        let update = if round % 4 == 3 {
            edit(doc, |txn| {
                new_card(txn, &format!("card{p:04}y{round:06}"), id, round)
            })
        } else {
            edit(doc, |txn| {
                let cards = txn.get_or_insert_map("cards");
                if let Some(Out::YMap(card)) =
                    cards.get(txn, &format!("card{p:04}x{:04}", round % 3))
                {
                    card.insert(txn, "text", format!("Bedarf überarbeitet in Runde {round}"));
                }
            })
        };

        let started = Instant::now();
        let summary = UpdateSummary::parse(&update).expect("valid");
        let sv = server.transact().state_vector();
        let missing = summary.missing_dependency(|client| sv.get(&yrs::ClientID::new(client)));
        totals.validate += started.elapsed();
        assert!(missing.is_none(), "updates arrive in order");

        let started = Instant::now();
        let places = index.resolve(&summary);
        let verdict = {
            let txn = server.transact();
            let known = txn.state_vector();
            ownership::check(
                id,
                &summary,
                &places,
                &index,
                &BoardView::new(&txn),
                |client| known.get(&yrs::ClientID::new(client)),
                |item| deleted.contains(&yrs::ID::new(yrs::ClientID::new(item.client), item.clock)),
            )
        };
        totals.authorize += started.elapsed();
        if !verdict.is_clean() {
            refused += 1;
        }

        let started = Instant::now();
        {
            let mut txn = server.transact_mut();
            txn.apply_update(Update::decode_v1(&update).expect("decodes"))
                .expect("applies");
            deleted.merge_with(txn.delete_set().clone());
        }
        index.record(&summary, &places);
        totals.apply += started.elapsed();

        let started = Instant::now();
        store
            .append_update("bench", update.clone(), Vec::new())
            .await
            .expect("writer answers")
            .expect("durable");
        totals.persist += started.elapsed();

        // Every other participant's replica follows, outside the measurement.
        for (other, (_, replica)) in participants.iter().enumerate() {
            if other != p {
                replica
                    .transact_mut()
                    .apply_update(Update::decode_v1(&update).expect("decodes"))
                    .expect("applies");
            }
        }
    }
    assert_eq!(refused, 0, "every update is legal");

    let per = |d: Duration| d.as_secs_f64() * 1e6 / UPDATES as f64;
    let total = totals.validate + totals.authorize + totals.apply + totals.persist;
    println!(
        "{UPDATES} participant updates, {PARTICIPANTS} participants, {} cards at the end",
        150 + UPDATES / 4
    );
    println!("{:<28}{:>12}{:>10}", "step", "µs/update", "share");
    for (name, time) in [
        ("validate + dependency check", totals.validate),
        ("ownership check", totals.authorize),
        ("apply (yrs)", totals.apply),
        ("persist (SQLite, awaited)", totals.persist),
    ] {
        println!(
            "{name:<28}{:>12.1}{:>9.1}%",
            per(time),
            100.0 * time.as_secs_f64() / total.as_secs_f64()
        );
    }
    println!("{:<28}{:>12.1}", "total", per(total));
    store.close();
}
