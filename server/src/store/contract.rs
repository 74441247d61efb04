//! The contract every [`Store`] implementation keeps, as one test suite.
//!
//! Each case is a function of a `&dyn Store`; [`store_contract!`] turns
//! them into `#[tokio::test]`s for one backend. A backend joins with one
//! line beside its code, e.g. in `sqlite/mod.rs`:
//!
//! ```ignore
//! store_contract!(normal, sqlite_store(Synchronous::Normal));
//! ```
//!
//! The expression is evaluated once per test and gives `(guard, store)`:
//! the guard (a temporary directory, a database schema) lives as long as
//! the test.

use super::{
    BoardRecord, EventBoardRecord, EventParticipantRecord, EventRecord, OrganiserRecord,
    ParticipantRecord, PhotoAdmission, PhotoInfo, PhotoRecord, SeriesRecord, Store, StoreError,
};

/// Runs every case of the contract against the store `$make` opens.
macro_rules! store_contract {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            store_contract!(@cases $make;
                boards_are_found_by_id_and_join_code,
                a_taken_join_code_or_id_is_a_conflict,
                join_codes_and_viewer_tokens_are_replaced,
                participants_are_kept_removed_and_erased,
                registered_participants_are_found_by_their_code_and_claimed,
                organisers_sessions_owners_and_links,
                events_hold_boards_participants_and_places,
                a_workshop_place_is_taken_only_while_there_is_room,
                the_last_workshop_places_go_to_as_many_as_fit_of_many_at_once,
                photos_uploaded_at_once_stay_within_the_board_limit,
                photos_are_kept_within_their_limits,
                an_unknown_board_has_an_empty_document,
                appends_compacts_and_reloads_in_order,
                sequence_numbers_are_never_reused_after_compaction,
                a_compaction_keeps_the_updates_after_it,
                each_board_has_its_own_log,
                a_client_id_keeps_its_first_owner,
                a_board_goes_on_its_day_and_is_deleted_whole,
                series_hold_boards_and_a_versioned_comparison,
                an_erased_person_leaves_every_record_and_photo,
            );
        }
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make;
                $crate::store::contract::$case(&store).await;
            }
        )*
    };
}

pub(crate) fn board(id: &str, join_code: &str) -> BoardRecord {
    BoardRecord {
        id: id.into(),
        title: "Stadtteilkonferenz Sandow".into(),
        district: "Sandow".into(),
        join_code: join_code.into(),
        moderator_token_hash: [1; 32],
        viewer_token_hash: [2; 32],
        created_at: 0,
    }
}

fn participant(board: &str, id: &str) -> ParticipantRecord {
    ParticipantRecord {
        board: board.into(),
        id: id.into(),
        token_hash: [3; 32],
        name: "Alice".into(),
        organisation: "Kita Sonnenschein".into(),
        sector: "stadtteil".into(),
        email: Some("alice@example.de".into()),
        phone: Some("0355 1234".into()),
        contact_consent: true,
        created_at: 5,
        removed: false,
        personal_code: None,
    }
}

pub(crate) async fn append(store: &dyn Store, board: &str, data: &[u8]) -> u64 {
    store
        .append_update(board, data.to_vec(), vec![(7, "moderator".into())])
        .await
        .expect("writer answers")
        .expect("durable")
}

async fn compact(store: &dyn Store, board: &str, snapshot: &[u8], through: u64) {
    store
        .compact(board, snapshot.to_vec(), through)
        .await
        .expect("answers")
        .expect("compacts");
}

pub(crate) async fn boards_are_found_by_id_and_join_code(store: &dyn Store) {
    let record = board("boardAAAA1", "AAAAAA");
    store.create_board(&record).expect("creates");
    assert_eq!(
        store.board("boardAAAA1").expect("reads"),
        Some(record.clone())
    );
    assert_eq!(
        store.board_by_join_code("AAAAAA").expect("reads"),
        Some(record)
    );
    assert_eq!(store.board("boardBBBB2").expect("reads"), None);
    assert_eq!(store.board_by_join_code("BBBBBB").expect("reads"), None);
}

pub(crate) async fn a_taken_join_code_or_id_is_a_conflict(store: &dyn Store) {
    store.create_board(&board("a", "SAME22")).expect("creates");
    assert!(matches!(
        store.create_board(&board("b", "SAME22")),
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.create_board(&board("a", "OTHER3")),
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.board("b").expect("reads"), None);
}

pub(crate) async fn join_codes_and_viewer_tokens_are_replaced(store: &dyn Store) {
    store.create_board(&board("a", "AAAAAA")).expect("creates");
    store.create_board(&board("b", "BBBBBB")).expect("creates");
    store.set_join_code("a", "CCCCCC").expect("replaces");
    assert_eq!(store.board_by_join_code("AAAAAA").expect("reads"), None);
    let a = store.board_by_join_code("CCCCCC").expect("reads");
    assert_eq!(a.map(|record| record.id), Some("a".to_owned()));
    assert!(matches!(
        store.set_join_code("a", "BBBBBB"),
        Err(StoreError::Conflict)
    ));
    store
        .set_viewer_token_hash("a", &[9; 32])
        .expect("replaces");
    let a = store.board("a").expect("reads").expect("exists");
    assert_eq!(a.viewer_token_hash, [9; 32]);
    assert_eq!(a.moderator_token_hash, [1; 32]);
}

pub(crate) async fn participants_are_kept_removed_and_erased(store: &dyn Store) {
    store.create_board(&board("a", "AAAAAA")).expect("creates");
    store.create_board(&board("b", "BBBBBB")).expect("creates");
    let bob = participant("a", "participantBob");
    let alice = participant("a", "participantAlice");
    store.add_participant(&bob).expect("adds");
    store.add_participant(&alice).expect("adds");
    store
        .add_participant(&participant("b", "participantCarol"))
        .expect("adds");
    assert!(matches!(
        store.add_participant(&bob),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.participant("a", "participantBob").expect("reads"),
        Some(bob.clone())
    );
    assert_eq!(
        store.participant("b", "participantBob").expect("reads"),
        None
    );

    assert!(
        store
            .remove_participant("a", "participantBob")
            .expect("removes")
    );
    assert!(!store.remove_participant("a", "nobody00").expect("answers"));
    assert!(
        store
            .erase_contact(None, &["a".to_owned()], "participantAlice")
            .expect("erases")
    );
    assert!(
        !store
            .erase_contact(None, &["a".to_owned()], "nobody00")
            .expect("answers")
    );
    // Ordered by id, removed ones included.
    let removed = ParticipantRecord {
        removed: true,
        ..bob
    };
    let erased = ParticipantRecord {
        email: None,
        phone: None,
        contact_consent: false,
        ..alice
    };
    assert_eq!(
        store.participants("a").expect("reads"),
        vec![erased, removed]
    );
    assert_eq!(store.participants("nothing").expect("reads"), Vec::new());
}

pub(crate) async fn registered_participants_are_found_by_their_code_and_claimed(store: &dyn Store) {
    store.create_board(&board("a", "CODE1")).expect("creates");
    store.create_board(&board("b", "CODE2")).expect("creates");
    let mut ada = participant("a", "participantAda");
    ada.personal_code = Some("PERSONAL0001".into());
    store.add_participant(&ada).expect("adds");
    let mut same_code = participant("a", "participantBea");
    same_code.personal_code = Some("PERSONAL0001".into());
    assert!(
        matches!(store.add_participant(&same_code), Err(StoreError::Conflict)),
        "a personal code is one person's on a board"
    );
    let mut elsewhere = participant("b", "participantBea");
    elsewhere.personal_code = Some("PERSONAL0001".into());
    store.add_participant(&elsewhere).expect("another board");
    // Two who joined by the board's code have no personal code: no conflict.
    store
        .add_participant(&participant("a", "participantCem"))
        .expect("adds");
    store
        .add_participant(&participant("a", "participantDan"))
        .expect("adds");

    let found = store
        .participant_by_personal_code("a", "PERSONAL0001")
        .expect("reads");
    assert_eq!(found, Some(ada.clone()));
    assert_eq!(
        store
            .participant_by_personal_code("a", "PERSONAL0002")
            .expect("reads"),
        None
    );
    assert!(
        store
            .claim_registration("a", "participantAda", &[9; 32], false)
            .expect("claims")
    );
    let claimed = store
        .participant("a", "participantAda")
        .expect("reads")
        .expect("there");
    assert_eq!(claimed.token_hash, [9; 32]);
    assert!(!claimed.contact_consent, "the consent given on the day");
    assert!(
        !store
            .claim_registration("a", "participantCem", &[9; 32], true)
            .expect("answers"),
        "only registered participants are claimed"
    );
    store
        .remove_participant("a", "participantAda")
        .expect("removes");
    assert!(
        !store
            .claim_registration("a", "participantAda", &[8; 32], true)
            .expect("answers"),
        "a removed participant stays removed"
    );
}

pub(crate) async fn organisers_sessions_owners_and_links(store: &dyn Store) {
    use crate::store::{BoardLinkRecord, OrganiserRecord, SessionRecord};
    let ada = OrganiserRecord {
        id: "organiserAda1".into(),
        email: "ada@cottbus.de".into(),
        name: "Ada".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: 1,
    };
    store.add_organiser(&ada).expect("adds");
    let same_email = OrganiserRecord {
        id: "organiserBea1".into(),
        ..ada.clone()
    };
    assert!(matches!(
        store.add_organiser(&same_email),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.organiser("organiserAda1").expect("reads"),
        Some(ada.clone())
    );
    assert_eq!(
        store.organiser_by_email("ada@cottbus.de").expect("reads"),
        Some(ada.clone())
    );
    assert_eq!(
        store.organiser_by_email("bea@cottbus.de").expect("reads"),
        None
    );

    let invitation = crate::store::InvitationRecord {
        token_hash: [8; 32],
        email: "bea@cottbus.de".into(),
        name: "Bea".into(),
        invited_by: ada.id.clone(),
        expires_at: 100,
    };
    store.add_invitation(&invitation).expect("adds");
    assert_eq!(
        store.take_invitation(&[8; 32], 100).expect("reads"),
        None,
        "expired at 100"
    );
    store.add_invitation(&invitation).expect("adds again");
    assert_eq!(
        store.take_invitation(&[8; 32], 99).expect("takes"),
        Some(invitation.clone())
    );
    assert_eq!(
        store.take_invitation(&[8; 32], 99).expect("reads"),
        None,
        "once"
    );

    let live = SessionRecord {
        token_hash: [4; 32],
        organiser: ada.id.clone(),
        expires_at: 100,
    };
    let stale = SessionRecord {
        token_hash: [5; 32],
        organiser: ada.id.clone(),
        expires_at: 10,
    };
    store.add_session(&live).expect("adds");
    store.add_session(&stale).expect("adds");
    assert_eq!(store.session(&[4; 32]).expect("reads"), Some(live.clone()));
    // Signing out one session drops it and every expired one.
    store.remove_session(&[6; 32], 50).expect("removes");
    assert_eq!(store.session(&[5; 32]).expect("reads"), None);
    assert_eq!(store.session(&[4; 32]).expect("reads"), Some(live));
    store.remove_session(&[4; 32], 50).expect("removes");
    assert_eq!(store.session(&[4; 32]).expect("reads"), None);

    store.create_board(&board("a", "CODE1")).expect("creates");
    store.create_board(&board("b", "CODE2")).expect("creates");
    store.create_board(&board("c", "CODE3")).expect("creates");
    store.set_board_owner("a", &ada.id).expect("owns");
    store.set_board_owner("c", &ada.id).expect("owns");
    let owned: Vec<String> = store
        .boards_of(&ada.id)
        .expect("reads")
        .into_iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(owned, ["a", "c"]);
    assert_eq!(store.board_owner("a").expect("reads"), Some(ada.id.clone()));
    assert_eq!(store.board_owner("b").expect("reads"), None);

    let link = BoardLinkRecord {
        board: "a".into(),
        id: "linkCoMod001".into(),
        role: "moderator".into(),
        label: "Co-Moderation Bea".into(),
        token_hash: [7; 32],
        created_at: 3,
        revoked: false,
    };
    store.add_board_link(&link).expect("adds");
    assert_eq!(
        store.board_link_by_token("a", &[7; 32]).expect("reads"),
        Some(link.clone())
    );
    assert_eq!(
        store.board_link_by_token("b", &[7; 32]).expect("reads"),
        None
    );
    assert!(
        store
            .revoke_board_link("a", "linkCoMod001")
            .expect("revokes")
    );
    assert!(
        !store
            .revoke_board_link("b", "linkCoMod001")
            .expect("answers")
    );
    assert_eq!(
        store.board_links("a").expect("reads"),
        vec![BoardLinkRecord {
            revoked: true,
            ..link
        }]
    );
}

fn event(id: &str, join_code: Option<&str>) -> EventRecord {
    EventRecord {
        id: id.into(),
        title: "Kommunen im Dialog".into(),
        date: Some("2027-03-31".into()),
        venue: "Kassel".into(),
        locale: "de".into(),
        join_code: join_code.map(Into::into),
        organiser_token_hash: Some([7; 32]),
        viewer_token_hash: Some([8; 32]),
        part: "plenary".into(),
        setup: "{}".into(),
        created_at: 3,
    }
}

fn event_board(event: &str, board: &str, kind: &str, position: i64) -> EventBoardRecord {
    EventBoardRecord {
        event: event.into(),
        board: board.into(),
        kind: kind.into(),
        position,
        capacity: None,
        location: "Raum 3".into(),
        description: String::new(),
    }
}

fn event_participant(event: &str, id: &str, created_at: i64) -> EventParticipantRecord {
    EventParticipantRecord {
        event: event.into(),
        id: id.into(),
        token_hash: [9; 32],
        name: "Ada".into(),
        organisation: "Stadt Kassel".into(),
        sector: "behoerde".into(),
        attributes: r#"{"size":"small"}"#.into(),
        email: None,
        phone: None,
        contact_consent: false,
        created_at,
        removed: false,
        workshop: None,
        group: None,
    }
}

pub(crate) async fn events_hold_boards_participants_and_places(store: &dyn Store) {
    store.create_board(&board("p", "PPPPPP")).expect("creates");
    store.create_board(&board("w", "WWWWWW")).expect("creates");
    store
        .create_event(&event("e", Some("EVENT1")))
        .expect("creates");
    store.create_event(&event("solo", None)).expect("creates");
    store
        .create_event(&event("solo2", None))
        .expect("no code is no conflict");
    assert!(matches!(
        store.create_event(&event("f", Some("EVENT1"))),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.event("e").expect("reads"),
        Some(event("e", Some("EVENT1")))
    );
    assert_eq!(
        store
            .event_by_join_code("EVENT1")
            .expect("reads")
            .map(|e| e.id),
        Some("e".to_owned())
    );
    assert_eq!(store.event("nothing").expect("reads"), None);

    store
        .add_event_board(&event_board("e", "w", "workshop", 1))
        .expect("adds");
    store
        .add_event_board(&event_board("e", "p", "plenary", 0))
        .expect("adds");
    assert!(matches!(
        store.add_event_board(&event_board("solo", "p", "conference", 0)),
        Err(StoreError::Conflict)
    ));
    let boards = store.event_boards("e").expect("reads");
    assert_eq!(
        boards.iter().map(|b| b.board.as_str()).collect::<Vec<_>>(),
        ["p", "w"]
    );
    assert_eq!(
        store.event_board("w").expect("reads"),
        Some(event_board("e", "w", "workshop", 1))
    );
    assert_eq!(store.event_board("nothing").expect("reads"), None);

    assert!(store.set_event_part("e", "workshops").expect("sets"));
    assert!(
        store
            .set_event_setup("e", r#"{"programme":[]}"#)
            .expect("sets")
    );
    assert!(
        store
            .set_event_organiser_token_hash("e", &[6; 32])
            .expect("sets")
    );
    assert!(
        !store
            .set_event_part("nothing", "workshops")
            .expect("answers")
    );
    let changed = store.event("e").expect("reads").expect("exists");
    assert_eq!(changed.part, "workshops");
    assert_eq!(changed.setup, r#"{"programme":[]}"#);
    assert_eq!(changed.organiser_token_hash, Some([6; 32]));

    store
        .add_organiser(&OrganiserRecord {
            id: "org".into(),
            email: "o@example.de".into(),
            name: "O".into(),
            password_hash: "x".into(),
            created_at: 0,
        })
        .expect("adds");
    store.set_event_owner("e", "org").expect("owns");
    assert_eq!(
        store.event_owner("e").expect("reads"),
        Some("org".to_owned())
    );
    assert_eq!(store.event_owner("solo").expect("reads"), None);
    assert_eq!(
        store
            .events_of("org")
            .expect("reads")
            .into_iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        ["e"]
    );

    let late = event_participant("e", "late", 9);
    let early = event_participant("e", "early", 1);
    store.add_event_participant(&late).expect("adds");
    store.add_event_participant(&early).expect("adds");
    assert!(matches!(
        store.add_event_participant(&early),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.event_participants("e").expect("reads"),
        vec![early.clone(), late.clone()]
    );
    assert!(store.set_event_group("e", "late", Some("w")).expect("sets"));
    assert!(
        !store
            .set_event_group("e", "nobody", Some("w"))
            .expect("answers")
    );
    assert_eq!(
        store
            .event_participant("e", "late")
            .expect("reads")
            .and_then(|p| p.group),
        Some("w".to_owned())
    );
    assert_eq!(
        store.event_participant("solo", "late").expect("reads"),
        None
    );

    // Admitted to a board, moved away (removed there), admitted again with
    // a new token: one record, live.
    let mut on_board = participant("w", "late");
    store.admit_participant(&on_board).expect("admits");
    assert!(store.remove_participant("w", "late").expect("removes"));
    on_board.token_hash = [4; 32];
    store.admit_participant(&on_board).expect("admits again");
    assert_eq!(
        store.participant("w", "late").expect("reads"),
        Some(on_board)
    );
}

pub(crate) async fn a_workshop_place_is_taken_only_while_there_is_room(store: &dyn Store) {
    store.create_board(&board("w", "WWWWWW")).expect("creates");
    store
        .create_event(&event("e", Some("EVENT1")))
        .expect("creates");
    for (index, id) in ["a", "b", "c"].into_iter().enumerate() {
        store
            .add_event_participant(&event_participant("e", id, index as i64))
            .expect("adds");
    }
    assert!(
        store
            .set_event_workshop("e", "a", Some("w"), Some(2))
            .expect("sets")
    );
    // Choosing again the workshop one is in does not count oneself.
    assert!(
        store
            .set_event_workshop("e", "a", Some("w"), Some(1))
            .expect("sets")
    );
    assert!(
        store
            .set_event_workshop("e", "b", Some("w"), Some(2))
            .expect("sets")
    );
    assert!(
        !store
            .set_event_workshop("e", "c", Some("w"), Some(2))
            .expect("full")
    );
    // The organiser goes over the capacity; leaving always works.
    assert!(
        store
            .set_event_workshop("e", "c", Some("w"), None)
            .expect("sets")
    );
    assert!(
        store
            .set_event_workshop("e", "a", None, Some(2))
            .expect("leaves")
    );
    assert!(
        !store
            .set_event_workshop("e", "nobody", Some("w"), None)
            .expect("answers")
    );
    let places: Vec<_> = store
        .event_participants("e")
        .expect("reads")
        .into_iter()
        .map(|p| p.workshop)
        .collect();
    assert_eq!(places, [None, Some("w".to_owned()), Some("w".to_owned())]);
}

/// `f(0)` to `f(count - 1)`, each on a thread of its own at the same time
/// (as `spawn_blocking` calls a store), and what each answered.
fn at_once<T: Send>(count: usize, f: impl Fn(usize) -> Result<T, StoreError> + Sync) -> Vec<T> {
    let f = &f;
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..count).map(|n| scope.spawn(move || f(n))).collect();
        calls
            .into_iter()
            .map(|call| call.join().expect("no panic").expect("answers"))
            .collect()
    })
}

/// Twelve phones ask for a place in a workshop of three at the same time
/// (each from a thread of its own, as `spawn_blocking` would): three get
/// one. A store that counted and then wrote in two steps would let more in.
pub(crate) async fn the_last_workshop_places_go_to_as_many_as_fit_of_many_at_once(
    store: &dyn Store,
) {
    store.create_board(&board("w", "WWWWWW")).expect("creates");
    store
        .create_event(&event("e", Some("EVENT1")))
        .expect("creates");
    let phones: Vec<String> = (0..12).map(|n| format!("phone{n}")).collect();
    for (index, id) in phones.iter().enumerate() {
        store
            .add_event_participant(&event_participant("e", id, index as i64))
            .expect("adds");
    }
    let admitted = at_once(phones.len(), |n| {
        store.set_event_workshop("e", &phones[n], Some("w"), Some(3))
    })
    .into_iter()
    .filter(|admitted| *admitted)
    .count();
    assert_eq!(admitted, 3);
    let placed = store
        .event_participants("e")
        .expect("reads")
        .into_iter()
        .filter(|p| p.workshop.is_some())
        .count();
    assert_eq!(placed, 3);
}

fn photo(board: &str, id: &str, bytes: usize) -> PhotoRecord {
    PhotoRecord {
        info: PhotoInfo {
            board: board.into(),
            id: id.into(),
            author: "moderator".into(),
            created_at: 1,
            width: 2048,
            height: 1536,
            status: "shown".into(),
            bytes: (bytes + 1) as u64,
        },
        jpeg: vec![0xFF; bytes],
        thumbnail: vec![0xD8],
    }
}

/// Twelve photos uploaded to a board at the same time, with room for
/// three: three are stored, the others refused.
pub(crate) async fn photos_uploaded_at_once_stay_within_the_board_limit(store: &dyn Store) {
    store.create_board(&board("a", "AAAAAA")).expect("creates");
    let admissions = at_once(12, |n| {
        store.add_photo(&photo("a", &format!("photo{n}"), 10), 3, 1 << 20)
    });
    let stored = admissions
        .iter()
        .filter(|admission| **admission == PhotoAdmission::Stored)
        .count();
    assert_eq!(stored, 3, "{admissions:?}");
    assert_eq!(store.photos("a").expect("lists").len(), 3);
}

pub(crate) async fn photos_are_kept_within_their_limits(store: &dyn Store) {
    store.create_board(&board("a", "AAAAAA")).expect("creates");
    store.create_board(&board("b", "BBBBBB")).expect("creates");
    let add = |record: &PhotoRecord| store.add_photo(record, 2, 1000).expect("answers");
    assert_eq!(add(&photo("a", "one", 400)), PhotoAdmission::Stored);
    assert!(matches!(
        store.add_photo(&photo("a", "one", 1), 2, 1000),
        Err(StoreError::Conflict)
    ));
    assert_eq!(add(&photo("a", "two", 100)), PhotoAdmission::Stored);
    assert_eq!(add(&photo("a", "three", 1)), PhotoAdmission::BoardFull);
    // 502 of 1000 bytes are taken: 498 more fit, 499 not.
    assert_eq!(add(&photo("b", "big", 498)), PhotoAdmission::StorageFull);
    assert_eq!(add(&photo("b", "fits", 497)), PhotoAdmission::Stored);
    let listed: Vec<_> = store
        .photos("a")
        .expect("lists")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, ["one", "two"]);
    let (info, bytes) = store
        .photo("a", "one", false)
        .expect("reads")
        .expect("there");
    assert_eq!((info.width, bytes.len()), (2048, 400));
    assert_eq!(
        store
            .photo("a", "one", true)
            .expect("reads")
            .map(|(_, b)| b),
        Some(vec![0xD8])
    );
    assert_eq!(store.photo("b", "one", false).expect("reads"), None);
    assert!(store.set_photo_status("a", "one", "hidden").expect("sets"));
    assert!(
        !store
            .set_photo_status("a", "none", "hidden")
            .expect("answers")
    );
    assert_eq!(store.photos("a").expect("lists")[0].status, "hidden");
    assert!(store.delete_photo("a", "one").expect("deletes"));
    assert!(!store.delete_photo("a", "one").expect("answers"));
    assert_eq!(add(&photo("a", "three", 1)), PhotoAdmission::Stored);
}

pub(crate) async fn an_unknown_board_has_an_empty_document(store: &dyn Store) {
    let document = store.load_document("unknown1").expect("loads");
    assert_eq!(document, Default::default());
}

pub(crate) async fn appends_compacts_and_reloads_in_order(store: &dyn Store) {
    store.create_board(&board("a", "AAAAAA")).expect("creates");
    let batch = store
        .append_updates("a", vec![b"zero".to_vec(), b"half".to_vec()], Vec::new())
        .await
        .expect("writer answers")
        .expect("durable");
    let first = append(store, "a", b"one").await;
    assert!(first > batch);
    let document = store.load_document("a").expect("loads");
    assert_eq!(
        document.updates,
        vec![b"zero".to_vec(), b"half".to_vec(), b"one".to_vec()],
    );
    assert_eq!(document.last_sequence, first);
    assert_eq!(document.bytes, 11);
    let second = append(store, "a", b"two").await;
    assert!(second > first);
    compact(store, "a", b"snap", second).await;
    let third = append(store, "a", b"three").await;
    let document = store.load_document("a").expect("loads");
    assert_eq!(document.snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(document.updates, vec![b"three".to_vec()]);
    assert_eq!(document.last_sequence, third);
    assert_eq!(document.bytes, 9);
    assert_eq!(document.client_owners, vec![(7, "moderator".to_owned())]);
}

pub(crate) async fn sequence_numbers_are_never_reused_after_compaction(store: &dyn Store) {
    append(store, "b", b"b1").await;
    let a1 = append(store, "a", b"a1").await;
    compact(store, "a", b"snap", a1).await;
    let a2 = append(store, "a", b"a2").await;
    assert!(a2 > a1);
    assert_eq!(
        store.load_document("a").expect("loads").updates,
        vec![b"a2".to_vec()]
    );
}

pub(crate) async fn a_compaction_keeps_the_updates_after_it(store: &dyn Store) {
    let one = append(store, "a", b"one").await;
    let two = append(store, "a", b"two").await;
    compact(store, "a", b"snap", one).await;
    let document = store.load_document("a").expect("loads");
    assert_eq!(document.snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(document.updates, vec![b"two".to_vec()]);
    assert_eq!(document.last_sequence, two);
    // A compaction of the whole log leaves the snapshot's sequence.
    compact(store, "a", b"all", two).await;
    let document = store.load_document("a").expect("loads");
    assert_eq!(document.updates, Vec::<Vec<u8>>::new());
    assert_eq!(document.last_sequence, two);
    assert!(append(store, "a", b"three").await > two);
}

pub(crate) async fn each_board_has_its_own_log(store: &dyn Store) {
    append(store, "a", b"a1").await;
    append(store, "b", b"b1").await;
    append(store, "a", b"a2").await;
    compact(store, "b", b"snap-b", 1).await;
    let a = store.load_document("a").expect("loads");
    assert_eq!(a.snapshot, None);
    assert_eq!(a.updates, vec![b"a1".to_vec(), b"a2".to_vec()]);
    let b = store.load_document("b").expect("loads");
    assert_eq!(b.snapshot.as_deref(), Some(&b"snap-b"[..]));
    assert_eq!(b.updates, Vec::<Vec<u8>>::new());
}

pub(crate) async fn a_client_id_keeps_its_first_owner(store: &dyn Store) {
    let claim = |owner: &str| vec![(42, owner.to_owned()), (43, "server".to_owned())];
    store
        .append_update("a", b"one".to_vec(), claim("participant:alice001"))
        .await
        .expect("answers")
        .expect("durable");
    store
        .append_update("a", b"two".to_vec(), claim("participant:mallory1"))
        .await
        .expect("answers")
        .expect("durable");
    let mut owners = store.load_document("a").expect("loads").client_owners;
    owners.sort();
    assert_eq!(
        owners,
        vec![
            (42, "participant:alice001".to_owned()),
            (43, "server".to_owned())
        ]
    );
    assert_eq!(store.load_document("b").expect("loads").client_owners, []);
}

pub(crate) async fn a_board_goes_on_its_day_and_is_deleted_whole(store: &dyn Store) {
    // Made on 1970-01-01 (created_at 0) without a day: it goes 365 days after.
    store
        .create_board(&board("old", "OLDOLD"))
        .expect("creates");
    let made = store
        .retention("old", 365)
        .expect("reads")
        .expect("a board");
    assert_eq!(
        (made.date, made.delete_on.as_str(), made.chosen),
        (None, "1971-01-01", false)
    );
    store.set_board_date("old", "2020-03-04").expect("dates");
    assert_eq!(
        store
            .retention("old", 30)
            .expect("reads")
            .map(|r| r.delete_on),
        Some("2020-04-03".to_owned())
    );
    // A board whose moderator chose a day far ahead is not due.
    store
        .create_board(&board("kept", "KEPTKE"))
        .expect("creates");
    assert!(
        store
            .set_delete_on("kept", Some("2999-12-31"))
            .expect("sets")
    );
    assert!(
        !store
            .set_delete_on("nosuchboard", Some("2999-12-31"))
            .expect("sets")
    );
    assert_eq!(store.boards_due(30).expect("lists"), vec!["old".to_owned()]);
    assert!(store.set_delete_on("kept", None).expect("sets"));
    assert!(
        !store
            .retention("kept", 30)
            .expect("reads")
            .expect("a board")
            .chosen
    );

    // Deleting takes the document, the participants and the photos with it.
    append(store, "old", b"old update").await;
    store
        .add_participant(&participant("old", "alice"))
        .expect("adds");
    store
        .add_photo(&photo("old", "photo001", 10), 10, 1 << 20)
        .expect("stores");
    assert!(store.delete_board("old").expect("deletes"));
    assert!(
        !store.delete_board("old").expect("deletes"),
        "a second time: nothing"
    );
    assert_eq!(store.board("old").expect("reads"), None);
    assert_eq!(
        store.load_document("old").expect("loads"),
        Default::default()
    );
    assert!(store.participants("old").expect("reads").is_empty());
    assert!(store.photos("old").expect("reads").is_empty());
    assert_eq!(store.retention("old", 30).expect("reads"), None);
    assert_eq!(
        store.boards_due(30).expect("lists"),
        vec!["kept".to_owned()]
    );
}

pub(crate) async fn series_hold_boards_and_a_versioned_comparison(store: &dyn Store) {
    let series = SeriesRecord {
        id: "cottbus".into(),
        title: "Stadtteilkonferenzen Cottbus".into(),
        locale: "de".into(),
        organiser_token_hash: [7; 32],
        owner: None,
        created_at: 5,
        comparison: "{}".into(),
        version: 0,
    };
    store.create_series(&series).expect("creates");
    assert!(matches!(
        store.create_series(&series),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.series("cottbus").expect("reads"),
        Some(series.clone())
    );
    assert_eq!(store.series("nosuchseries").expect("reads"), None);
    for (id, code) in [("stroebitz", "STROEB"), ("sachsendorf", "SACHSE")] {
        store.create_board(&board(id, code)).expect("creates");
    }
    assert!(
        store
            .add_series_board("cottbus", "sachsendorf", 2)
            .expect("adds")
    );
    assert!(
        store
            .add_series_board("cottbus", "stroebitz", 1)
            .expect("adds")
    );
    assert!(
        !store
            .add_series_board("cottbus", "stroebitz", 3)
            .expect("again")
    );
    assert!(matches!(
        store.add_series_board("cottbus", "nosuchboard", 4),
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.series_boards("cottbus").expect("lists"),
        ["stroebitz", "sachsendorf"]
    );
    // A write names the version it read; a stale one changes nothing.
    assert_eq!(
        store
            .set_series_comparison("cottbus", r#"{"topics":[]}"#, 0)
            .expect("writes"),
        Some(1)
    );
    assert_eq!(
        store
            .set_series_comparison("cottbus", r#"{"stale":true}"#, 0)
            .expect("writes"),
        None
    );
    let read = store.series("cottbus").expect("reads").expect("a series");
    assert_eq!(
        (read.comparison.as_str(), read.version),
        (r#"{"topics":[]}"#, 1)
    );
    assert!(
        store
            .remove_series_board("cottbus", "stroebitz")
            .expect("removes")
    );
    assert!(
        !store
            .remove_series_board("cottbus", "stroebitz")
            .expect("removes")
    );
    // A deleted board leaves every series.
    assert!(store.delete_board("sachsendorf").expect("deletes"));
    assert!(store.series_boards("cottbus").expect("lists").is_empty());
}

/// `erase_participant`: their records on each board and in the event and
/// the photos they uploaded go; everyone else's stay.
pub(crate) async fn an_erased_person_leaves_every_record_and_photo(store: &dyn Store) {
    store
        .create_event(&event("ev", Some("EVCODE1")))
        .expect("creates");
    for (id, code) in [("b1", "ERASE1"), ("b2", "ERASE2")] {
        store.create_board(&board(id, code)).expect("creates");
        store
            .add_event_board(&EventBoardRecord {
                event: "ev".into(),
                board: id.into(),
                kind: "workshop".into(),
                position: 0,
                capacity: None,
                location: String::new(),
                description: String::new(),
            })
            .expect("adds");
        for who in ["alice", "bob"] {
            store.add_participant(&participant(id, who)).expect("adds");
            let mut photo = photo(id, &format!("photo-{who}"), 10);
            photo.info.author = who.into();
            store.add_photo(&photo, 10, 1 << 20).expect("stores");
        }
    }
    for who in ["alice", "bob"] {
        store
            .add_event_participant(&event_participant("ev", who, 1))
            .expect("adds");
    }
    store
        .erase_participant(Some("ev"), &["b1".to_owned(), "b2".to_owned()], "alice")
        .expect("erases");
    for id in ["b1", "b2"] {
        assert_eq!(store.participant(id, "alice").expect("reads"), None);
        assert!(store.participant(id, "bob").expect("reads").is_some());
        let photos: Vec<String> = store
            .photos(id)
            .expect("reads")
            .into_iter()
            .map(|photo| photo.author)
            .collect();
        assert_eq!(photos, ["bob"]);
    }
    assert_eq!(store.event_participant("ev", "alice").expect("reads"), None);
    assert!(
        store
            .event_participant("ev", "bob")
            .expect("reads")
            .is_some()
    );
}
