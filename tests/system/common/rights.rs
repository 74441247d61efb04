//! The authorization scene: a board set up by its moderator (clusters, a
//! case with focal points, voting open, a phase and a countdown), Alice and
//! Bob with a card, a placement and proposals each; then one illegal edit
//! after another from Bob's (modified) client or a viewer, each checked the
//! same way ([`Scene::attempt`]): refused with a reason; never shown in the
//! moderator's or Alice's document and in no frame they receive; a legal
//! edit on the same connection still goes through; the sender's document
//! converges back to the server's; and after a SIGKILL and restart on the
//! same data directory ([`Scene::assert_nothing_stored`]) the document
//! still lacks it and no database file holds its values.

use super::client::Client;
use super::doc::{at, contains_bytes, create_card, put, set};
use super::party::{Party, party};
use super::server::{Board, Server};
use serde_json::Value;
use std::time::Duration;
use yrs::{Any, Map, TransactionMut, WriteTxn};

pub const CLUSTER: &str = "clusterKinder01";
pub const CLUSTER_2: &str = "clusterWohnen01";
pub const ALICE_CARD: &str = "cardAlice0001";
pub const BOB_CARD: &str = "cardBob00001";
pub const CASE: &str = "caseFamilieA01";
pub const FOCAL_1: &str = "focalWohnen0001";
pub const FOCAL_2: &str = "focalSprache001";
pub const PHASE_1: &str = "phaseKarten0001";
pub const PHASE_2: &str = "phaseFaelle0001";
pub const ALICE_PROPOSAL: &str = "agreeAlice00001";
pub const BOB_PROPOSAL: &str = "agreeBob0000001";
pub const BOB_CONFIRMED: &str = "agreeBobConf001";
pub const TIMER_ENDS_AT: f64 = 1_741_087_800_000.0;

/// One illegal edit to try, and how to tell it did not happen: a row of an
/// authorization test's table.
pub struct Attempt<'a> {
    label: &'a str,
    illegal: Box<dyn FnOnce(&mut TransactionMut<'_>) + 'a>,
    intact: Box<dyn Fn(&Value) -> bool>,
    forbidden: &'a [&'a str],
}

impl<'a> Attempt<'a> {
    /// `illegal` makes the edit; `intact` holds for every document that
    /// does not show it.
    pub fn new(
        label: &'a str,
        illegal: impl FnOnce(&mut TransactionMut<'_>) + 'a,
        intact: impl Fn(&Value) -> bool + 'static,
    ) -> Self {
        Attempt {
            label,
            illegal: Box::new(illegal),
            intact: Box::new(intact),
            forbidden: &[],
        }
    }

    /// Values only the illegal edit writes: no frame another client
    /// receives and no database file may hold them.
    pub fn forbidding(mut self, values: &'a [&'a str]) -> Self {
        self.forbidden = values;
        self
    }
}

/// One illegal change and how to tell it did not happen.
struct Guard {
    label: String,
    /// Holds for every document that does not show the illegal change.
    intact: Box<dyn Fn(&Value) -> bool>,
    /// Values only the illegal change writes: no frame another client
    /// receives and no database file may hold them.
    forbidden: Vec<String>,
}

/// Where the bystanders' records stood when an attempt began.
pub struct Mark {
    pub denied: usize,
    shown: [usize; 2],
    frames: [usize; 2],
}

pub struct Scene {
    pub server: Server,
    pub board: Board,
    pub moderator: Client,
    pub alice: Client,
    pub alice_id: String,
    pub bob: Client,
    pub bob_id: String,
    pub bob_token: String,
    markers: usize,
    guards: Vec<Guard>,
    /// `bob` is a viewer's connection (see [`Scene::as_viewer`]).
    viewer_sends: bool,
}

pub async fn scene() -> Scene {
    let Party {
        server,
        board,
        mut moderator,
        mut alice,
        alice_id,
        mut bob,
        bob_id,
        bob_token,
        ..
    } = party("Rechte").await;
    moderator
        .edit(|_, txn| {
            for (id, title) in [(CLUSTER, "Kinderbetreuung"), (CLUSTER_2, "Wohnen")] {
                put(txn, "clusters", id, &[("title", title.into())]);
            }
            put(
                txn,
                "cases",
                CASE,
                &[
                    ("title", "Familie A.".into()),
                    ("framework", "asylblg".into()),
                ],
            );
            for (order, (id, title)) in [(FOCAL_1, "Wohnen"), (FOCAL_2, "Sprachkurs")]
                .into_iter()
                .enumerate()
            {
                put(
                    txn,
                    "focalPoints",
                    id,
                    &[
                        ("case", CASE.into()),
                        ("title", title.into()),
                        ("order", (order as f64).into()),
                    ],
                );
            }
            // `meta.phase` names an agenda entry; the agenda itself is
            // left out here (the helpers read `agenda` as an array).
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "votingOpen", true);
            meta.insert(txn, "voteBudget", 3.0);
            meta.insert(txn, "phase", PHASE_1);
            meta.insert(txn, "timerEndsAt", TIMER_ENDS_AT);
            // Revealed, so each participant reads the other's card (before
            // the reveal a card's text reaches only its author's group:
            // tests/node/hidden-cards.test.mjs).
            meta.insert(txn, "revealed", true);
        })
        .await;
    for client in [&mut alice, &mut bob] {
        client
            .pump_until(
                |c| c.json()["meta"]["phase"] == PHASE_1,
                "the moderator's set-up",
            )
            .await;
    }
    let id = alice_id.clone();
    alice
        .edit(|_, txn| {
            create_card(txn, ALICE_CARD, &id, "Kita-Plätze fehlen");
            txn.get_or_insert_map("placements")
                .insert(txn, format!("{id}:{FOCAL_1}"), true);
            put(
                txn,
                "agreements",
                ALICE_PROPOSAL,
                &proposal(&id, "Elterncafé gründen"),
            );
        })
        .await;
    let id = bob_id.clone();
    bob.edit(|_, txn| {
        put(
            txn,
            "participants",
            &id,
            &[
                ("name", "Bob".into()),
                ("organisation", "Kita Sonnenschein".into()),
                ("sector", "stadtteil".into()),
                ("joinedAt", 1_741_078_800_000.0.into()),
            ],
        );
        create_card(txn, BOB_CARD, &id, "Sprachkurs am Abend");
        txn.get_or_insert_map("placements")
            .insert(txn, format!("{id}:{FOCAL_1}"), true);
        put(
            txn,
            "agreements",
            BOB_PROPOSAL,
            &proposal(&id, "Sprachcafé im Bürgerhaus"),
        );
        put(
            txn,
            "agreements",
            BOB_CONFIRMED,
            &proposal(&id, "Wegweiser drucken"),
        );
    })
    .await;
    moderator
        .pump_until(
            |c| at(&c.json(), &format!("/agreements/{BOB_CONFIRMED}/status")) == "proposed",
            "Bob's set-up at the moderator's",
        )
        .await;
    moderator
        .edit(|_, txn| {
            set(
                txn,
                "agreements",
                BOB_CONFIRMED,
                "status",
                "confirmed".into(),
            )
        })
        .await;
    let everything = |c: &Client| {
        let json = c.json();
        at(&json, &format!("/cards/{ALICE_CARD}/text")) == "Kita-Plätze fehlen"
            && at(&json, &format!("/agreements/{ALICE_PROPOSAL}/status")) == "proposed"
            && at(&json, &format!("/agreements/{BOB_CONFIRMED}/status")) == "confirmed"
    };
    for client in [&mut moderator, &mut alice, &mut bob] {
        client.pump_until(everything, "the whole set-up").await;
        assert!(client.seen.denied.is_empty(), "{:?}", client.seen.denied);
    }
    moderator.record_history();
    alice.record_history();
    Scene {
        server,
        board,
        moderator,
        alice,
        alice_id,
        bob,
        bob_id,
        bob_token,
        markers: 0,
        guards: Vec::new(),
        viewer_sends: false,
    }
}

/// A participant's agreement proposal, as the web app writes it.
pub fn proposal(author: &str, what: &str) -> Vec<(&'static str, Any)> {
    vec![
        ("what", what.into()),
        ("who", "Kita Sonnenschein".into()),
        ("status", "proposed".into()),
        ("author", author.into()),
        ("createdAt", 1_741_087_000_000.0.into()),
    ]
}

impl Scene {
    /// Bob makes one illegal edit; see [`Scene::refused`] and
    /// [`Scene::confirm`], whose every failure names the attempt's label.
    pub async fn attempt(&mut self, attempt: Attempt<'_>) {
        let Attempt {
            label,
            illegal,
            intact,
            forbidden,
        } = attempt;
        let mark = self.mark();
        self.bob.edit(|_, txn| illegal(txn)).await;
        self.refused(label, &mark).await;
        self.confirm(label, mark, intact, forbidden).await;
    }

    /// Every attempt of a table, in order, on the same connection.
    pub async fn attempt_each(&mut self, attempts: Vec<Attempt<'_>>) {
        for attempt in attempts {
            self.attempt(attempt).await;
        }
    }

    /// From now on the attempts come from a viewer's connection.
    pub async fn as_viewer(&mut self) {
        let mut viewer =
            Client::connect(&self.server, &self.board.id, &self.board.viewer_token).await;
        let expected = self.moderator.json();
        viewer
            .pump_until(|c| c.json() == expected, "the viewer's sync")
            .await;
        self.bob = viewer;
        self.viewer_sends = true;
    }

    pub fn mark(&self) -> Mark {
        Mark {
            denied: self.bob.seen.denied.len(),
            shown: [self.moderator.shown().len(), self.alice.shown().len()],
            frames: [
                self.moderator.seen.frames.len(),
                self.alice.seen.frames.len(),
            ],
        }
    }

    /// Bob gets a permission-denied message with a reason.
    pub async fn refused(&mut self, label: &str, mark: &Mark) {
        self.bob
            .pump_until(
                |c| c.seen.denied.len() > mark.denied,
                &format!("a refusal of: {label}"),
            )
            .await;
        let reason = &self.bob.seen.denied[mark.denied];
        assert!(
            !reason.trim().is_empty(),
            "{label}: a refusal without a reason"
        );
    }

    /// A legal edit from Bob on the same connection arrives everywhere; the
    /// illegal one was never shown or received anywhere else; Bob's
    /// document converges back to the server's.
    pub async fn confirm(
        &mut self,
        label: &str,
        mark: Mark,
        intact: impl Fn(&Value) -> bool + 'static,
        forbidden: &[&str],
    ) {
        self.markers += 1;
        let marker = format!("Marke {}", self.markers);
        let bob = self.bob_id.clone();
        let path = if self.viewer_sends {
            // A viewer has no legal edit: it must keep receiving.
            self.moderator
                .edit(|_, txn| {
                    txn.get_or_insert_map("meta")
                        .insert(txn, "title", marker.as_str());
                })
                .await;
            "/meta/title".to_owned()
        } else {
            self.bob
                .edit(|_, txn| {
                    set(
                        txn,
                        "participants",
                        &bob,
                        "organisation",
                        marker.as_str().into(),
                    )
                })
                .await;
            format!("/participants/{bob}/organisation")
        };
        for client in [&mut self.moderator, &mut self.alice, &mut self.bob] {
            client
                .pump_until(
                    |c| at(&c.json(), &path) == marker.as_str(),
                    &format!("Bob's legal edit after: {label}"),
                )
                .await;
        }
        for (who, client, n) in [
            ("the moderator", &self.moderator, 0),
            ("Alice", &self.alice, 1),
        ] {
            for shown in &client.shown()[mark.shown[n]..] {
                assert!(
                    intact(shown),
                    "{label}: {who}'s document showed it: {shown}"
                );
            }
            for value in forbidden {
                let frames = &client.seen.frames[mark.frames[n]..];
                assert!(
                    !frames.iter().any(|f| contains_bytes(f, value.as_bytes())),
                    "{label}: a frame to {who} held {value:?}"
                );
            }
        }
        let server_state = self.moderator.json();
        let converged = tokio::time::timeout(
            Duration::from_secs(5),
            self.bob.pump_until(|c| c.json() == server_state, label),
        )
        .await;
        assert!(
            converged.is_ok(),
            "Bob did not converge back after {label}:\nBob:    {}\nserver: {server_state}",
            self.bob.json()
        );
        self.guards.push(Guard {
            label: label.to_owned(),
            intact: Box::new(intact),
            forbidden: forbidden.iter().map(|s| (*s).to_owned()).collect(),
        });
    }

    /// The moderator changes something; everyone has it afterwards.
    pub async fn moderator_sets(&mut self, field: &str, value: Any) {
        let expected = serde_json::to_value(&value).expect("any is JSON");
        self.moderator
            .edit(|_, txn| {
                txn.get_or_insert_map("meta").insert(txn, field, value);
            })
            .await;
        let path = format!("/meta/{field}");
        for client in [&mut self.moderator, &mut self.alice, &mut self.bob] {
            client
                .pump_until(|c| *at(&c.json(), &path) == expected, &path)
                .await;
        }
    }

    /// SIGKILL, restart on the same data directory: every guard holds for
    /// the restored document and no database file holds a forbidden value.
    pub async fn assert_nothing_stored(self) {
        let server = self.server.restart(&[]).await;
        let restored = Client::connect(&server, &self.board.id, &self.board.moderator_token).await;
        let json = restored.json();
        assert!(
            at(&json, &format!("/cards/{ALICE_CARD}/text")) == "Kita-Plätze fehlen",
            "the restarted server lost the set-up: {json}"
        );
        for guard in &self.guards {
            assert!(
                (guard.intact)(&json),
                "{}: stored, it is there after a restart: {json}",
                guard.label
            );
            for value in &guard.forbidden {
                assert!(
                    !server.stores(value),
                    "{}: the database holds {value:?}",
                    guard.label
                );
            }
        }
    }
}
