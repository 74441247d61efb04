use super::*;
use crate::board::model::{Agreement, Card, Cluster, OfferLink, Participant};

fn card(id: &str, author: &str, cluster: &str, kind: &str, text: &str) -> Card {
    Card {
        id: id.into(),
        text: text.into(),
        kind: kind.into(),
        author: author.into(),
        cluster: Some(cluster.into()),
        ..Card::default()
    }
}

fn person(id: &str, organisation: &str, sector: &str) -> Participant {
    Participant {
        id: id.into(),
        name: format!("Person {id}"),
        organisation: organisation.into(),
        sector: sector.into(),
        group: None,
    }
}

fn cluster(id: &str, title: &str) -> Cluster {
    Cluster {
        id: id.into(),
        title: title.into(),
        ..Cluster::default()
    }
}

fn conference(board: &str, district: &str, build: impl FnOnce(&mut Board)) -> Conference {
    let mut model = Board::default();
    build(&mut model);
    Conference {
        board: board.into(),
        title: format!("Stadtteilkonferenz {district}"),
        district: district.into(),
        date: Some("2025-03-04".into()),
        model,
    }
}

fn cottbus() -> Vec<Conference> {
    vec![
        conference("b1", "Ströbitz", |b| {
            b.participants = vec![
                person("p1", "Jobcenter Cottbus", "behoerde"),
                person("p2", "Kita Regenbogen", "traeger"),
            ];
            b.clusters = vec![cluster("k1", "Sprachkurse"), cluster("k2", "Wohnraum")];
            b.cards = vec![
                card(
                    "c1",
                    "p1",
                    "k1",
                    "need",
                    "Es fehlen Deutschkurse mit Kinderbetreuung",
                ),
                card("c2", "p2", "k2", "need", "Zu wenige große Wohnungen"),
                card(
                    "c3",
                    "p2",
                    "k1",
                    "offer",
                    "Kita bietet Betreuung während der Kurse",
                ),
            ];
            b.agreements = vec![Agreement {
                id: "a1".into(),
                what: "Kursplan abstimmen".into(),
                who: "Jobcenter".into(),
                due: Some("2025-06".into()),
                status: "confirmed".into(),
                author: "p1".into(),
                created_at: 0.0,
            }];
        }),
        conference("b2", "Sachsendorf", |b| {
            b.participants = vec![person("q1", "jobcenter cottbus", "behoerde")];
            b.clusters = vec![cluster("m1", "Kinderbetreuung")];
            b.cards = vec![
                card(
                    "d1",
                    "q1",
                    "m1",
                    "need",
                    "Sprachkurse nur ohne Kita-Plätze möglich",
                ),
                card("d2", "q1", "m1", "offer", "Ehrenamtliche Kinderbetreuung"),
            ];
            b.offer_links = vec![OfferLink {
                card: "d2".into(),
                cluster: "m1".into(),
            }];
        }),
    ]
}

fn topic(clusters: &[(&str, &str)]) -> Topic {
    Topic {
        id: "t1".into(),
        title: "Sprachkurse mit Kinderbetreuung".into(),
        scope: Scope::City,
        clusters: clusters
            .iter()
            .map(|(board, cluster)| ClusterRef {
                board: (*board).into(),
                cluster: (*cluster).into(),
            })
            .collect(),
        agreements: vec![AgreementRef {
            board: "b1".into(),
            agreement: "a1".into(),
        }],
    }
}

#[test]
fn a_topic_gathers_districts_needs_sectors_offers_and_agreements() {
    let view = topic_view(&topic(&[("b1", "k1"), ("b2", "m1")]), &cottbus());
    assert_eq!(view.districts, ["Ströbitz", "Sachsendorf"]);
    let needs: Vec<(&str, &str)> = view
        .needs
        .iter()
        .map(|n| (n.district.as_str(), n.text.as_str()))
        .collect();
    assert_eq!(
        needs,
        [
            ("Ströbitz", "Es fehlen Deutschkurse mit Kinderbetreuung"),
            ("Sachsendorf", "Sprachkurse nur ohne Kita-Plätze möglich"),
        ]
    );
    assert_eq!(view.sectors["behoerde"], ["Ströbitz", "Sachsendorf"]);
    assert_eq!(view.sectors["traeger"], ["Ströbitz"]);
    // The offer card in the cluster, and the linked one once.
    assert_eq!(view.offers.len(), 2);
    assert_eq!(
        view.agreements[0].text,
        "Kursplan abstimmen — Jobcenter (2025-06)"
    );
}

#[test]
fn a_cluster_of_a_board_gone_from_the_series_is_left_out() {
    let conferences = cottbus();
    let view = topic_view(&topic(&[("b1", "k1"), ("gone", "x1")]), &conferences);
    assert_eq!(view.districts, ["Ströbitz"]);
}

#[test]
fn the_check_refuses_unknown_boards_duplicates_and_a_cluster_in_two_topics() {
    let boards = vec!["b1".to_owned(), "b2".to_owned()];
    let good = Comparison {
        topics: vec![topic(&[("b1", "k1"), ("b2", "m1")])],
        dismissed: Vec::new(),
    };
    assert_eq!(good.check(&boards), Ok(()));
    let mut unknown = good.clone();
    unknown.topics[0].clusters[0].board = "b9".into();
    assert!(unknown.check(&boards).is_err());
    let mut twice = good.clone();
    let mut second = topic(&[("b1", "k1")]);
    second.id = "t2".into();
    twice.topics.push(second);
    assert!(
        twice
            .check(&boards)
            .expect_err("a cluster in two topics")
            .contains("two topics")
    );
    let mut same_id = good.clone();
    same_id.topics.push(topic(&[]));
    assert!(same_id.check(&boards).is_err());
    let mut untitled = good.clone();
    untitled.topics[0].title = "  ".into();
    assert!(untitled.check(&boards).is_err());
    let mut control = good;
    control.topics[0].title = "Kurse\u{0}".into();
    assert!(control.check(&boards).is_err());
}

#[test]
fn organisations_in_two_districts_are_found_whatever_their_case() {
    let found = organisations_in_several(&cottbus());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "Jobcenter Cottbus");
    assert_eq!(found[0].districts, ["Ströbitz", "Sachsendorf"]);
}

#[test]
fn suggestions_pair_clusters_of_different_boards_and_respect_dismissals() {
    let conferences = cottbus();
    let none = Comparison::default();
    let found = suggestions(&none, &conferences);
    let pairs: Vec<Vec<(&str, &str)>> = found
        .iter()
        .map(|s| {
            s.clusters
                .iter()
                .map(|c| (c.board.as_str(), c.cluster.as_str()))
                .collect()
        })
        .collect();
    assert!(
        pairs.contains(&vec![("b1", "k1"), ("b2", "m1")]),
        "Sprachkurse in Ströbitz and Kinderbetreuung in Sachsendorf: {pairs:?}"
    );
    for pair in &pairs {
        let boards: HashSet<_> = pair.iter().map(|(board, _)| board).collect();
        assert_eq!(
            boards.len(),
            pair.len(),
            "never two clusters of one board: {pair:?}"
        );
    }
    let dismissed = Comparison {
        topics: Vec::new(),
        dismissed: vec![[
            ClusterRef {
                board: "b2".into(),
                cluster: "m1".into(),
            },
            ClusterRef {
                board: "b1".into(),
                cluster: "k1".into(),
            },
        ]],
    };
    assert!(suggestions(&dismissed, &conferences).is_empty());
    let linked = Comparison {
        topics: vec![topic(&[("b1", "k1")])],
        dismissed: Vec::new(),
    };
    assert!(
        suggestions(&linked, &conferences)
            .iter()
            .all(|s| !s.clusters.iter().any(|c| c.cluster == "k1"))
    );
}

#[test]
fn dropping_a_board_drops_what_names_it() {
    let comparison = Comparison {
        topics: vec![topic(&[("b1", "k1"), ("b2", "m1")])],
        dismissed: Vec::new(),
    }
    .without_board("b1");
    assert_eq!(comparison.topics[0].clusters.len(), 1);
    assert!(comparison.topics[0].agreements.is_empty());
}
