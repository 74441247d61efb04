//! How long each export format takes for a realistic conference: 40
//! participants across the five sectors (half consenting to share contact
//! data), 150 cards in 8 clusters, 2 cases with 12 focal points, placements
//! and notes, 10 agreements, a network and the handout.
//!
//! Each format is rendered from the gathered board (`BoardExport`, which
//! reads the document once; its cost is printed too) several times; the
//! median and the slowest run are printed. Target: under 1 s per format.
//!
//! Run: `cargo run --release -p kartenwand --example export_cost`
//! (add `-- DIR` to also write each file into DIR, to look at them).

use kartenwand::export::{self, BoardExport, Format, Options};
use kartenwand::store::{BoardRecord, ParticipantRecord};
use std::time::{Duration, Instant};
use yrs::{Any, Doc, Map, MapPrelim, Transact, WriteTxn};

const RUNS: usize = 7;
const SECTORS: [&str; 5] = ["stadtteil", "behoerde", "traeger", "wirtschaft", "politik"];

fn entry(fields: Vec<(&str, Any)>) -> MapPrelim {
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn board() -> (BoardRecord, Doc, Vec<ParticipantRecord>) {
    let doc = Doc::new();
    let mut records = Vec::new();
    {
        let mut txn = doc.transact_mut();
        let meta = txn.get_or_insert_map("meta");
        meta.insert(&mut txn, "title", "Stadtteilkonferenz Sachsendorf");
        meta.insert(&mut txn, "district", "Sachsendorf");
        meta.insert(&mut txn, "date", "2026-11-24");
        meta.insert(&mut txn, "locale", "de");
        let participants = txn.get_or_insert_map("participants");
        for i in 0..40usize {
            let id = format!("participant{i:04}");
            let organisation = format!("Organisation {} Süd", i / 2);
            let sector = SECTORS[(i / 8) % 5];
            participants.insert(
                &mut txn,
                id.as_str(),
                entry(vec![
                    ("name", format!("Jürgen Weiß {i}").into()),
                    ("organisation", organisation.as_str().into()),
                    ("sector", sector.into()),
                ]),
            );
            records.push(ParticipantRecord {
                board: "benchmark0001".into(),
                id,
                token_hash: [0; 32],
                name: format!("Jürgen Weiß {i}"),
                organisation,
                sector: sector.into(),
                email: Some(format!("person{i}@beispiel.de")),
                phone: None,
                contact_consent: i % 2 == 0,
                created_at: 0,
                removed: false,
                personal_code: None,
            });
        }
        let clusters = txn.get_or_insert_map("clusters");
        for c in 0..8i64 {
            clusters.insert(
                &mut txn,
                format!("cluster{c:04}"),
                entry(vec![
                    ("title", format!("Bedarfsgruppe {c}: Übergänge").into()),
                    ("scope", "district".into()),
                    ("order", Any::from(c)),
                ]),
            );
        }
        let cards = txn.get_or_insert_map("cards");
        for i in 0..150usize {
            cards.insert(
                &mut txn,
                format!("card{i:05}"),
                entry(vec![
                    (
                        "text",
                        format!("Karte {i}: Für Familien fehlen Kita-Plätze und Sprachkurse in der Nähe, vor allem nachmittags.").into(),
                    ),
                    ("kind", ["need", "situation", "offer"][i % 3].into()),
                    ("author", format!("participant{:04}", i % 40).into()),
                    ("cluster", format!("cluster{:04}", i % 8).into()),
                    ("createdAt", Any::from(i as i64)),
                ]),
            );
        }
        let votes = txn.get_or_insert_map("votes");
        for i in 0..40usize {
            votes.insert(
                &mut txn,
                format!("participant{i:04}:cluster{:04}", i % 8),
                2i64,
            );
        }
        let focal_points = txn.get_or_insert_map("focalPoints");
        let placements = txn.get_or_insert_map("placements");
        let notes = txn.get_or_insert_map("notes");
        let cases = txn.get_or_insert_map("cases");
        for c in 0..2i64 {
            cases.insert(
                &mut txn,
                format!("case{c:05}"),
                entry(vec![
                    ("title", format!("Fall {c}").into()),
                    ("framework", ["asylblg", "sgb2"][c as usize].into()),
                    ("story", "Seit drei Monaten im Stadtteil.".into()),
                    ("order", Any::from(c)),
                ]),
            );
        }
        for f in 0..12usize {
            let id = format!("focal{f:04}");
            focal_points.insert(
                &mut txn,
                id.as_str(),
                entry(vec![
                    ("case", format!("case{:05}", f / 6).into()),
                    ("title", format!("Schwerpunkt {f}").into()),
                    ("order", Any::from(f as i64)),
                ]),
            );
            for p in [f, f + 13, (f * 7 + 3) % 40] {
                placements.insert(&mut txn, format!("participant{p:04}:{id}"), true);
            }
            notes.insert(
                &mut txn,
                format!("note{f:05}"),
                entry(vec![
                    ("focalPoint", id.as_str().into()),
                    ("category", "legal".into()),
                    ("text", "Zuständigkeit klären".into()),
                ]),
            );
        }
        let agreements = txn.get_or_insert_map("agreements");
        for a in 0..10usize {
            agreements.insert(
                &mut txn,
                format!("agreement{a:03}"),
                entry(vec![
                    ("what", format!("Verabredung {a}").into()),
                    ("who", format!("Organisation {a} Süd").into()),
                    ("status", "confirmed".into()),
                    ("author", format!("participant{a:04}").into()),
                    ("createdAt", Any::from(a as i64)),
                ]),
            );
        }
        let handout = txn.get_or_insert_map("handout");
        handout.insert(&mut txn, "contacts", "Koordinierungsstelle Asyl");
    }
    let record = BoardRecord {
        id: "benchmark0001".into(),
        title: "Stadtteilkonferenz Sachsendorf".into(),
        district: "Sachsendorf".into(),
        join_code: "ABCDEF".into(),
        moderator_token_hash: [0; 32],
        viewer_token_hash: [0; 32],
        created_at: 0,
    };
    (record, doc, records)
}

fn median(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

fn main() {
    let out_dir = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let (record, doc, participants) = board();
    let mut gather = Vec::new();
    let mut input = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        input = Some(BoardExport::new(&record, &doc, &participants));
        gather.push(start.elapsed());
    }
    let input = input.expect("gathered");
    let (mid, max) = median(gather);
    println!(
        "{:<8} {:>10} {:>10} {:>10}",
        "step", "median", "max", "bytes"
    );
    println!("{:<8} {:>8.1}ms {:>8.1}ms", "gather", ms(mid), ms(max));
    for format in Format::ALL {
        let mut samples = Vec::new();
        let mut size = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            let bytes = export::export(&input, format, Options::default()).expect("exports");
            samples.push(start.elapsed());
            size = bytes.len();
        }
        if let Some(dir) = &out_dir {
            let bytes = export::export(&input, format, Options::default()).expect("exports");
            let path = dir.join(export::file_name(&input, format));
            std::fs::write(&path, bytes).expect("writes the file");
        }
        let (mid, max) = median(samples);
        println!(
            "{:<8} {:>8.1}ms {:>8.1}ms {:>10}",
            format.extension(),
            ms(mid),
            ms(max),
            size
        );
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
