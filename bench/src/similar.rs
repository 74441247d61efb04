//! `similar`: how good the card suggestions are (issue 15), measured on
//! the labelled set `bench/data/similar-cards.json` (German need cards of
//! four districts, those that mean the same marked by a shared `group`):
//! precision and recall of the suggested pairs (two cards in one suggested
//! group) at [`kartenwand::similar::THRESHOLD`], at other thresholds, and
//! with each step of the analysis left out; then the time to suggest for a
//! board of `--cards` cards (the set, repeated with other numbers).
//!
//! Pure computation in this process: no server.

use anyhow::Context;
use kartenwand::similar::{Analyser, Compared, Steps, THRESHOLD};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashSet;
use std::time::Instant;

#[derive(Debug, Clone, clap::Args)]
pub struct SimilarArgs {
    /// The labelled set.
    #[arg(long, default_value = "bench/data/similar-cards.json")]
    pub cards: String,
    /// Cards of the board the time is taken for.
    #[arg(long, default_value_t = 300)]
    pub board: usize,
    /// Free text copied into the JSON line.
    #[arg(long, default_value = "")]
    pub label: String,
    /// Also print the N most alike pairs of different meaning and the N
    /// least alike of the same (to see where the analysis fails).
    #[arg(long, default_value_t = 0)]
    pub explain: usize,
    /// A thesaurus in OpenThesaurus' text format (Debian's
    /// `openthesaurus-de-text`: /usr/share/openthesaurus-de/openthesaurus.txt):
    /// adds rows with its synonym sets as features, to measure what it adds.
    #[arg(long)]
    pub thesaurus: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Set {
    cards: Vec<Card>,
}

#[derive(Debug, Deserialize)]
struct Card {
    text: String,
    group: String,
}

struct Quality {
    precision: f64,
    recall: f64,
    suggested: usize,
    groups: usize,
}

fn quality(cards: &[Card], steps: Steps, threshold: f32) -> Quality {
    quality_of(cards, &Analyser::new(steps), threshold)
}

fn quality_of(cards: &[Card], analyser: &Analyser, threshold: f32) -> Quality {
    let texts: Vec<&str> = cards.iter().map(|card| card.text.as_str()).collect();
    let compared = Compared::new(analyser, &texts);
    let groups = compared.groups(threshold, |_, _| false);
    let mut suggested = HashSet::new();
    for group in &groups {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                suggested.insert((a, b));
            }
        }
    }
    let mut truth = HashSet::new();
    for a in 0..cards.len() {
        for b in a + 1..cards.len() {
            if cards[a].group == cards[b].group {
                truth.insert((a, b));
            }
        }
    }
    let right = suggested.intersection(&truth).count();
    Quality {
        precision: if suggested.is_empty() {
            1.0
        } else {
            right as f64 / suggested.len() as f64
        },
        recall: if truth.is_empty() {
            1.0
        } else {
            right as f64 / truth.len() as f64
        },
        suggested: suggested.len(),
        groups: groups.len(),
    }
}

fn explain(cards: &[Card], n: usize) {
    let texts: Vec<&str> = cards.iter().map(|card| card.text.as_str()).collect();
    let compared = Compared::new(&Analyser::default(), &texts);
    let mut same = Vec::new();
    let mut different = Vec::new();
    for a in 0..cards.len() {
        for b in a + 1..cards.len() {
            let pair = (compared.similarity(a, b), a, b);
            if cards[a].group == cards[b].group {
                same.push(pair)
            } else {
                different.push(pair)
            }
        }
    }
    same.sort_by(|x, y| x.0.total_cmp(&y.0));
    different.sort_by(|x, y| y.0.total_cmp(&x.0));
    println!("most alike of different meaning:");
    for (s, a, b) in different.iter().take(n) {
        println!("  {s:.3}  {} | {}", texts[*a], texts[*b]);
    }
    println!("least alike of the same meaning:");
    for (s, a, b) in same.iter().take(n) {
        println!(
            "  {s:.3}  {} | {}  [{}]",
            texts[*a], texts[*b], cards[*a].group
        );
    }
    let median = |list: &[(f32, usize, usize)]| list.get(list.len() / 2).map_or(0.0, |p| p.0);
    println!(
        "median: same meaning {:.3}, different {:.3}",
        median(&same),
        median(&different)
    );
}

pub fn run(args: SimilarArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.cards)
        .with_context(|| format!("cannot read {}", args.cards))?;
    let set: Set = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a labelled set", args.cards))?;
    let groups: HashSet<&str> = set.cards.iter().map(|card| card.group.as_str()).collect();
    println!(
        "labelled set: {} cards, {} meanings ({} with two or more cards)",
        set.cards.len(),
        groups.len(),
        groups
            .iter()
            .filter(|group| set
                .cards
                .iter()
                .filter(|card| card.group == **group)
                .count()
                > 1)
            .count()
    );
    if args.explain > 0 {
        explain(&set.cards, args.explain);
    }
    let all = Steps::default();
    let rows = [
        ("all steps", all),
        ("plain word overlap", Steps::words_only()),
        (
            "without stems",
            Steps {
                stems: false,
                ..all
            },
        ),
        (
            "without compounds",
            Steps {
                compounds: false,
                ..all
            },
        ),
        (
            "without concepts",
            Steps {
                concepts: false,
                ..all
            },
        ),
        (
            "without abbreviations",
            Steps {
                abbreviations: false,
                ..all
            },
        ),
        (
            "with trigrams (0.1)",
            Steps {
                trigrams: 0.1,
                ..all
            },
        ),
    ];
    println!(
        "{:<24} {:>9} {:>9} {:>7} {:>7}",
        "at the default threshold", "precision", "recall", "pairs", "groups"
    );
    let mut lines = Vec::new();
    for (name, steps) in rows {
        let q = quality(&set.cards, steps, THRESHOLD);
        println!(
            "{name:<24} {:>9.3} {:>9.3} {:>7} {:>7}",
            q.precision, q.recall, q.suggested, q.groups
        );
        lines.push(json!({"steps": name, "precision": q.precision, "recall": q.recall}));
    }
    if let Some(path) = &args.thesaurus {
        let thesaurus = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the thesaurus {path}"))?;
        for weight in [0.3f32, 0.6, 1.0] {
            for senses in [1usize, 3, 8] {
                let analyser = Analyser::new(all).with_thesaurus(&thesaurus, weight, senses);
                let name = format!("thesaurus {weight} ≤{senses}");
                for threshold in [0.3f32, 0.35, 0.4] {
                    let q = quality_of(&set.cards, &analyser, threshold);
                    println!(
                        "{name:<16} @{threshold:<5} {:>9.3} {:>9.3} {:>7} {:>7}",
                        q.precision, q.recall, q.suggested, q.groups
                    );
                    lines.push(json!({"steps": name, "threshold": threshold,
                                      "precision": q.precision, "recall": q.recall}));
                }
            }
        }
    }
    println!(
        "{:<24} {:>9} {:>9}",
        "all steps, threshold", "precision", "recall"
    );
    for threshold in [0.2f32, 0.25, 0.28, 0.3, 0.32, 0.34, 0.35, 0.4, 0.45, 0.5] {
        let q = quality(&set.cards, all, threshold);
        println!("{threshold:<24.2} {:>9.3} {:>9.3}", q.precision, q.recall);
    }
    // A board of `--board` cards: the set again and again, numbered.
    let board: Vec<String> = (0..args.board)
        .map(|i| {
            let card = &set.cards[i % set.cards.len()];
            if i < set.cards.len() {
                card.text.clone()
            } else {
                format!("{} ({})", card.text, i / set.cards.len() + 1)
            }
        })
        .collect();
    let analyser = Analyser::default();
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let compared = Compared::new(&analyser, &board);
        let groups = compared.groups(THRESHOLD, |_, _| false);
        std::hint::black_box(groups);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "a board of {} cards: {:.1} ms (median of 5; {:.1}–{:.1})",
        args.board, times[2], times[0], times[4]
    );
    let best = quality(&set.cards, all, THRESHOLD);
    println!(
        "{}",
        json!({
            "bench": "similar", "label": args.label, "cards": set.cards.len(), "threshold": THRESHOLD,
            "precision": best.precision, "recall": best.recall, "board_cards": args.board,
            "board_ms": times[2], "steps": lines,
        })
    );
    Ok(())
}
