//! Finds or starts the room of a board (never check, await, then insert),
//! refuses joins once shutdown began, and shuts every room down.

use super::command::ErasureFailed;
use super::{
    JoinError, JoinRefused, Ledgers, Membership, PeerLink, RevocationMark, RoomCommand, RoomHandle,
    RoomSettings, actor,
};
use crate::auth::Identity;
use crate::board::erasure::{Authored, Erased};
use crate::socket::CloseReason;
use crate::store::Store;
use dashmap::DashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};
use tokio_util::task::TaskTracker;
use tracing::Instrument;

pub(crate) type Rooms = DashMap<String, RoomHandle>;

/// Finds or starts the room of a board.
pub struct Registry {
    rooms: Arc<Rooms>,
    ledgers: Arc<Ledgers>,
    /// Counts revocations; see [`Registry::revocation_mark`].
    revocations: AtomicU64,
    store: Arc<dyn Store>,
    settings: RoomSettings,
    tasks: TaskTracker,
    next_instance: AtomicU64,
    next_peer: AtomicU64,
    /// Set when shutdown starts: no room starts and no peer joins after it,
    /// so every room shutdown flushed is every room there is.
    closing: AtomicBool,
}

/// Capacity of a room's inbox; senders wait when it is full.
const ROOM_INBOX: usize = 1024;

/// Capacity of a room's control channel (revocations).
const ROOM_CONTROL: usize = 64;

impl Registry {
    pub fn new(store: Arc<dyn Store>, settings: RoomSettings, tasks: TaskTracker) -> Arc<Self> {
        Arc::new(Registry {
            rooms: Arc::new(DashMap::new()),
            ledgers: Arc::new(DashMap::new()),
            revocations: AtomicU64::new(0),
            store,
            settings,
            tasks,
            next_instance: AtomicU64::new(1),
            next_peer: AtomicU64::new(1),
            closing: AtomicBool::new(false),
        })
    }

    /// Number of boards currently live in memory.
    pub fn live_rooms(&self) -> usize {
        self.rooms.len()
    }

    /// Take this before checking a token and hand it to [`Registry::join`]:
    /// a revocation that happens in between (its store change may have come
    /// too late for the check) then refuses the join. Revocations are
    /// recorded before their rooms are told, so a join the room handles
    /// after the revocation always sees it.
    pub fn revocation_mark(&self) -> RevocationMark {
        self.revocations.load(Ordering::SeqCst)
    }

    /// Joins a peer to the board's room, starting the room if needed.
    /// `checked` is the [`Registry::revocation_mark`] taken before the
    /// peer's token was checked.
    pub async fn join(
        &self,
        board: &str,
        identity: Identity,
        link: PeerLink,
        checked: RevocationMark,
    ) -> Result<Membership, JoinError> {
        if self.closing.load(Ordering::SeqCst) {
            return Err(JoinError::ShuttingDown);
        }
        let peer = self.next_peer.fetch_add(1, Ordering::Relaxed);
        let mut link = Some(link);
        // A room that is just evicting itself refuses the join; the retry
        // then starts a fresh room.
        for _ in 0..3 {
            let Some(current_link) = link.take() else {
                break;
            };
            let room = self.room(board);
            let (reply, answer) = oneshot::channel();
            let command = RoomCommand::Join {
                peer,
                identity: identity.clone(),
                link: current_link,
                checked,
                reply,
            };
            match room.sender.send(command).await {
                Ok(()) => match answer.await {
                    Ok(Ok(())) => return Ok(Membership { peer, room }),
                    Ok(Err(JoinRefused::Full)) => return Err(JoinError::Full),
                    Ok(Err(JoinRefused::Revoked)) => return Err(JoinError::Revoked),
                    Ok(Err(JoinRefused::Closing(returned))) => {
                        self.forget(board, room.instance);
                        link = Some(returned);
                    }
                    // The room died while answering; the link went with it.
                    Err(_) => self.forget(board, room.instance),
                },
                Err(mpsc::error::SendError(RoomCommand::Join { link: returned, .. })) => {
                    self.forget(board, room.instance);
                    link = Some(returned);
                }
                Err(_) => self.forget(board, room.instance),
            }
        }
        Err(JoinError::Unavailable)
    }

    /// Closes every open connection of `identity` on the board (its token
    /// was revoked; call this after the store says so) and waits until the
    /// room has done so. Joins whose token was checked before are refused
    /// from now on, whether the board's room is live or not.
    pub async fn disconnect(&self, board: &str, identity: Identity) {
        self.revoke(board, &identity);
        let Some(room) = self.rooms.get(board).map(|handle| handle.clone()) else {
            return;
        };
        let (done, wait) = oneshot::channel();
        if room
            .control
            .send(RoomCommand::Disconnect { identity, done })
            .await
            .is_ok()
        {
            let _ = wait.await;
        }
    }

    /// Ends the board's room for good: its board is being deleted. Every
    /// connection closes with 4404, its writes finish, and no join is taken
    /// from now on (whenever its token was checked). Call before the store
    /// deletes the board, so no write of the room lands after it.
    pub async fn end_deleted(&self, board: &str) {
        self.ledgers.entry(board.to_owned()).or_default().deleted = true;
        let Some(room) = self.rooms.get(board).map(|handle| handle.clone()) else {
            return;
        };
        let (done, wait) = oneshot::channel();
        if room
            .control
            .send(RoomCommand::Shutdown {
                reason: CloseReason::DELETED,
                done,
            })
            .await
            .is_ok()
        {
            let _ = wait.await;
        }
        self.forget(board, room.instance);
    }

    /// Erases a participant from the board's document (see
    /// [`RoomCommand::Erase`]), starting its room if none is live, and
    /// waits until the rewritten history is durable. Like
    /// [`Registry::disconnect`], joins whose token was checked before are
    /// refused from now on; call it after the store refuses their token.
    pub async fn erase(
        &self,
        board: &str,
        participant: &str,
        authored: Authored,
    ) -> Result<Erased, ErasureFailed> {
        self.revoke(board, &Identity::Participant(participant.to_owned()));
        // A room that is just evicting itself refuses; the retry then
        // starts a fresh one, which loads the board from the store.
        for _ in 0..3 {
            let room = self.room(board);
            let (reply, answer) = oneshot::channel();
            let command = RoomCommand::Erase {
                participant: participant.to_owned(),
                authored,
                reply,
            };
            if room.sender.send(command).await.is_err() {
                self.forget(board, room.instance);
                continue;
            }
            match answer.await {
                Ok(Err(ErasureFailed::Closing)) | Err(_) => self.forget(board, room.instance),
                Ok(result) => return result,
            }
        }
        Err(ErasureFailed::Closing)
    }

    /// The board's current document as one encoded update, if its room is
    /// live (`None` otherwise: read the store). Never starts a room.
    pub async fn document_state(&self, board: &str) -> Option<Vec<u8>> {
        let room = self.rooms.get(board).map(|handle| handle.clone())?;
        let (reply, answer) = oneshot::channel();
        room.sender
            .send(RoomCommand::DocumentState { reply })
            .await
            .ok()?;
        answer.await.ok()
    }

    /// Asks every room to close its peers, finish its writes and compact.
    /// Joins are refused from now on; a room a join started just before
    /// (it passed the check before `closing` was set) is caught by the next
    /// round.
    pub async fn shutdown(&self) {
        self.closing.store(true, Ordering::SeqCst);
        let mut done_instances = HashSet::new();
        loop {
            let handles: Vec<RoomHandle> = self
                .rooms
                .iter()
                .map(|entry| entry.value().clone())
                .filter(|handle| !done_instances.contains(&handle.instance))
                .collect();
            if handles.is_empty() {
                return;
            }
            let mut waits = Vec::with_capacity(handles.len());
            for handle in handles {
                done_instances.insert(handle.instance);
                let (done, wait) = oneshot::channel();
                if handle
                    .sender
                    .send(RoomCommand::Shutdown {
                        reason: CloseReason::GOING_AWAY,
                        done,
                    })
                    .await
                    .is_ok()
                {
                    waits.push(wait);
                }
            }
            for wait in waits {
                let _ = wait.await;
            }
        }
    }

    /// Records a revocation before any room hears of it (see
    /// [`Registry::revocation_mark`]).
    fn revoke(&self, board: &str, identity: &Identity) {
        let mark = self.revocations.fetch_add(1, Ordering::SeqCst) + 1;
        self.ledgers
            .entry(board.to_owned())
            .or_default()
            .revoked
            .insert(identity.owner_key(), mark);
    }

    fn forget(&self, board: &str, instance: u64) {
        self.rooms
            .remove_if(board, |_, handle| handle.instance == instance);
    }

    fn room(&self, board: &str) -> RoomHandle {
        if let Some(handle) = self.rooms.get(board) {
            return handle.clone();
        }
        self.rooms
            .entry(board.to_owned())
            .or_insert_with(|| self.start(board))
            .clone()
    }

    /// Starts a room task under a supervisor that removes it from the map
    /// however it ends, panics included.
    fn start(&self, board: &str) -> RoomHandle {
        let instance = self.next_instance.fetch_add(1, Ordering::Relaxed);
        let (sender, inbox) = mpsc::channel(ROOM_INBOX);
        let (control, control_inbox) = mpsc::channel(ROOM_CONTROL);
        let room = actor::Room::new(
            board.to_owned(),
            instance,
            self.store.clone(),
            self.settings.clone(),
            self.rooms.clone(),
            self.ledgers.clone(),
        );
        let span = tracing::info_span!("room", board = %board, instance);
        let task = self
            .tasks
            .spawn(room.run(inbox, control_inbox).instrument(span));
        let rooms = self.rooms.clone();
        let board = board.to_owned();
        self.tasks.spawn(async move {
            if let Err(error) = task.await {
                if error.is_panic() {
                    tracing::error!(board = %board, "room task panicked; it restarts from the store on the next join");
                }
            }
            rooms.remove_if(&board, |_, handle| handle.instance == instance);
        });
        RoomHandle {
            instance,
            sender,
            control,
        }
    }
}

#[cfg(test)]
mod revocation_tests {
    use super::*;
    use crate::room::test_harness;
    use crate::store::{BoardRecord, SqliteStore, Synchronous};
    use tokio::net::TcpStream;

    /// A link and the other end of its socket.
    async fn link() -> (PeerLink, TcpStream) {
        let (link, _, end) = test_harness::link().await;
        (link, end)
    }

    fn registry(dir: &tempfile::TempDir, boards: &[&str]) -> Arc<Registry> {
        let store =
            SqliteStore::open(&dir.path().join("k.db"), Synchronous::Normal).expect("opens");
        for (n, board) in boards.iter().enumerate() {
            store
                .create_board(&BoardRecord {
                    id: (*board).to_owned(),
                    title: "Größe für Kitas".into(),
                    district: "Nord".into(),
                    join_code: format!("code{n}"),
                    moderator_token_hash: [0; 32],
                    viewer_token_hash: [1; 32],
                    created_at: 0,
                })
                .expect("creates");
        }
        Registry::new(Arc::new(store), RoomSettings::default(), TaskTracker::new())
    }

    /// A connection whose token passed the check before the moderator
    /// removed the participant, but that reaches the room only afterwards,
    /// is refused (4401), whether the room was live during the removal or
    /// not. Tokens checked afterwards are the store's business.
    #[tokio::test]
    async fn a_join_checked_before_a_revocation_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry = registry(&dir, &["liveBoard01", "idleBoard01"]);
        let alice = Identity::Participant("alice00000001".into());
        let bob = Identity::Participant("bob000000001".into());
        let checked = registry.revocation_mark();

        let (moderator_link, _moderator_end) = link().await;
        let moderator = registry
            .join("liveBoard01", Identity::Moderator, moderator_link, checked)
            .await
            .map_err(|_| "refused")
            .expect("the moderator joins");
        for board in ["liveBoard01", "idleBoard01"] {
            registry.disconnect(board, alice.clone()).await;
            let (alice_link, _alice_end) = link().await;
            let joined = registry
                .join(board, alice.clone(), alice_link, checked)
                .await;
            assert_eq!(
                joined.err(),
                Some(JoinError::Revoked),
                "a join checked before the removal got into {board}"
            );
            assert_eq!(JoinError::Revoked.close_reason().code, 4401);
            // Others, and the same identity checked again later, are not
            // affected by the record.
            let (bob_link, _bob_end) = link().await;
            assert!(
                registry
                    .join(board, bob.clone(), bob_link, checked)
                    .await
                    .is_ok()
            );
            let (late_link, _late_end) = link().await;
            let later = registry.revocation_mark();
            assert!(
                registry
                    .join(board, alice.clone(), late_link, later)
                    .await
                    .is_ok()
            );
        }
        drop(moderator);
    }

    /// After shutdown began nothing joins and no room starts, so no board
    /// is left unflushed; the connection is told the server is restarting.
    #[tokio::test]
    async fn nothing_joins_once_shutdown_began() {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry = registry(&dir, &["liveBoard01", "idleBoard01"]);
        let (link_one, _end_one) = link().await;
        let member = registry
            .join(
                "liveBoard01",
                Identity::Moderator,
                link_one,
                registry.revocation_mark(),
            )
            .await
            .map_err(|_| "refused")
            .expect("joins before shutdown");
        registry.shutdown().await;
        for board in ["liveBoard01", "idleBoard01"] {
            let (late, _late_end) = link().await;
            let joined = registry
                .join(board, Identity::Moderator, late, registry.revocation_mark())
                .await;
            assert_eq!(joined.err(), Some(JoinError::ShuttingDown), "{board}");
        }
        assert_eq!(JoinError::ShuttingDown.close_reason().code, 1001);
        assert!(
            !registry.rooms.contains_key("idleBoard01"),
            "no room started after shutdown"
        );
        drop(member);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::CloseReason;
    use crate::room::test_harness::{TestPeer, harness, stored_card};

    #[tokio::test]
    async fn a_panicking_room_takes_down_only_itself_and_restarts_from_the_store() {
        let harness = harness(RoomSettings::default());
        let mut doomed = TestPeer::join(&harness, "board-a").await;
        let mut bystander = TestPeer::join(&harness, "board-b").await;
        doomed.write_card("before", "gesichert").await;

        let room = harness
            .registry
            .rooms
            .get("board-a")
            .map(|handle| handle.clone())
            .expect("board a is live");
        room.sender
            .send(RoomCommand::Panic)
            .await
            .expect("the room takes the command");
        assert_eq!(
            doomed.closed_reason().await,
            Some(CloseReason::INTERNAL),
            "the panicked room's peers are told to reconnect"
        );

        // The other room never noticed.
        bystander.write_card("elsewhere", "läuft weiter").await;
        assert!(bystander.outlet_is_open());

        // The next join starts a fresh room from the store, which serves.
        let mut again = TestPeer::join(&harness, "board-a").await;
        assert_eq!(again.card("before").as_deref(), Some("gesichert"));
        again.write_card("after", "neu").await;
        assert_eq!(
            stored_card(&harness.store, "board-a", "after").as_deref(),
            Some("neu")
        );
    }
}
