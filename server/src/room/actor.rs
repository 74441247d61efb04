//! The room task: one board's document, awareness and peers.
//!
//! Durability before relay: an accepted update is applied, handed to the
//! store, and relayed only once the store reports it committed. Everything
//! sent that reflects the document (relays, sync step 2 answers, our own sync
//! step 1) waits in one queue behind the writes issued before it, so no peer
//! ever sees state a crash could lose.

use super::awareness::AwarenessTable;
use super::restore::restore;
use super::{
    CloseReason, Inbound, JoinRefused, Ledgers, PeerId, PeerLink, RevocationMark, RoomCommand,
    RoomSettings, Rooms, SERVER_OWNER,
};
use crate::auth::{Identity, ownership};
use crate::board::places::{Place, PlaceIndex};
use crate::board::{self, BoardView};
use crate::protocol::update::{DeleteRange, UpdateSummary, write_delete_set};
use crate::protocol::{Message, awareness};
use crate::socket::Frame;
use crate::store::{PendingWrite, Store, StoreError, StoredDocument};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    ClientID, Doc, ID, IdSet, In, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, Update,
    WriteTxn,
};

/// How often expiry and idleness are checked.
const TICK: Duration = Duration::from_secs(1);

/// Deliveries waiting for writes before the room stops reading its inbox.
const MAX_QUEUED_DELIVERIES: usize = 8192;

/// Refused edits an identity may make on a board before its connections
/// are closed (counted while the server runs, across reconnects).
const MAX_REFUSALS: u32 = 20;

/// Awareness: live client ids per connection, bytes per state, and the
/// rate (messages per second, burst) a connection may send at.
const MAX_AWARENESS_CLIENTS_PER_PEER: usize = 4;
const MAX_AWARENESS_STATE_BYTES: usize = 4096;
const AWARENESS_PER_SECOND: f64 = 10.0;
const AWARENESS_BURST: f64 = 20.0;

/// What a connection over the awareness rate is told, at most once per
/// [`NOTICE_INTERVAL`] (presence is ephemeral: the states are dropped).
const AWARENESS_RATE_NOTICE: &str = "awareness sent too often: some presence updates were dropped";
const NOTICE_INTERVAL: Duration = Duration::from_secs(10);

/// What an update that would grow a full board is told.
const SIZE_LIMIT_REASON: &str = "the board has reached its size limit";

/// Least time between two compactions a full board makes to turn
/// deletions into free space (each encodes the whole document).
const SPACE_COMPACTION_INTERVAL: Duration = Duration::from_secs(1);

/// Sync step 1 messages a connection may send: a burst, then one per
/// five seconds. A client sends one when it connects (y-websocket's
/// optional resync adds one per interval); each answer may cost an encode
/// of the document, so a connection sending more is closed (1008).
const SYNC_REQUEST_BURST: f64 = 10.0;
const SYNC_REQUESTS_PER_SECOND: f64 = 0.2;

struct Peer {
    identity: Identity,
    link: PeerLink,
    awareness_allowance: f64,
    awareness_checked: Instant,
    /// When the peer was last told it sends awareness too often.
    awareness_noticed: Option<Instant>,
    sync_allowance: f64,
    sync_checked: Instant,
}

enum Recipient {
    All,
    One(PeerId),
}

struct Delivery {
    /// Index of the write this delivery waits for (writes complete in order).
    after_write: u64,
    recipient: Recipient,
    payload: Payload,
}

enum Payload {
    /// A ready frame.
    Frame(Frame),
    /// A document update to relay. Relays that become ready together are
    /// merged into one update (one frame per receiver instead of many).
    Update(Bytes),
}

/// What the write at a queue position was for.
enum WriteKind {
    Append { bytes: u64, count: u64 },
    Compact,
}

/// Updates applied and waiting to be written in one transaction: a room
/// writes what it applied once its inbox is empty, so updates that arrive
/// together are committed together and relayed as one merged update.
#[derive(Default)]
struct Staged {
    updates: Vec<Vec<u8>>,
    new_clients: Vec<(u64, String)>,
    bytes: u64,
    /// When the first of them was staged.
    since: Option<Instant>,
}

/// Most updates staged before they are written anyway.
const MAX_STAGED: usize = 256;

/// A room with this many peers (a plenary where everyone types) holds what
/// it staged for up to [`COALESCE_WINDOW`] even when its inbox is empty:
/// each relay costs one frame per peer there, and updates that arrive
/// within the window go out as one. Smaller rooms write at once.
const COALESCE_PEERS: usize = 100;
const COALESCE_WINDOW: Duration = Duration::from_millis(8);

/// Encodings reused until the document changes, so a reconnect storm does
/// not re-encode the document per client.
#[derive(Default)]
struct Cache {
    step1: Option<Frame>,
    full_state_step2: Option<Frame>,
    up_to_date_step2: Option<(StateVector, Frame)>,
}

pub(crate) struct Room {
    board: String,
    instance: u64,
    store: Arc<dyn Store>,
    settings: RoomSettings,
    rooms: Arc<Rooms>,
    /// Revocations and refusal counts, shared with the registry.
    ledgers: Arc<Ledgers>,
    doc: Doc,
    /// The document's state vector, kept up to date: yrs walks every
    /// client's blocks to compute one, and every update needs it.
    state: StateVector,
    peers: HashMap<PeerId, Peer>,
    awareness: AwarenessTable,
    cache: Cache,
    deliveries: VecDeque<Delivery>,
    writes: FuturesOrdered<PendingWrite>,
    write_kinds: VecDeque<WriteKind>,
    writes_issued: u64,
    staged: Staged,
    writes_done: u64,
    /// Bytes of snapshot plus log, an upper bound of the document's size.
    stored_bytes: u64,
    last_sequence: u64,
    updates_since_snapshot: u64,
    /// The document may hold state the store does not: reload once the
    /// writes in flight are done.
    needs_reload: bool,
    /// Since the last snapshot: an update was refused because the board
    /// is full, and something was deleted. Both together make the room
    /// compact early, so the deletions free space.
    full_since_snapshot: bool,
    deleted_since_snapshot: bool,
    /// When the room last compacted to free space.
    compacted_for_space: Option<Instant>,
    /// The entry or field every integrated item belongs to.
    places: PlaceIndex,
    /// Which identity introduced each Yjs client id.
    client_owners: HashMap<u64, String>,
    /// Deleted ids of the document, kept up to date with each transaction
    /// (computing it from the document costs a walk over every block).
    deleted: IdSet,
    idle_since: Option<Instant>,
}

enum Flow {
    Continue,
    Stop,
}

impl Room {
    pub fn new(
        board: String,
        instance: u64,
        store: Arc<dyn Store>,
        settings: RoomSettings,
        rooms: Arc<Rooms>,
        ledgers: Arc<Ledgers>,
    ) -> Self {
        Room {
            board,
            instance,
            store,
            settings,
            rooms,
            ledgers,
            doc: Doc::new(),
            state: StateVector::default(),
            peers: HashMap::new(),
            awareness: AwarenessTable::default(),
            cache: Cache::default(),
            deliveries: VecDeque::new(),
            writes: FuturesOrdered::new(),
            write_kinds: VecDeque::new(),
            writes_issued: 0,
            staged: Staged::default(),
            writes_done: 0,
            stored_bytes: 0,
            last_sequence: 0,
            updates_since_snapshot: 0,
            needs_reload: false,
            full_since_snapshot: false,
            deleted_since_snapshot: false,
            compacted_for_space: None,
            places: PlaceIndex::default(),
            client_owners: HashMap::new(),
            deleted: IdSet::new(),
            idle_since: Some(Instant::now()),
        }
    }

    pub async fn run(
        mut self,
        mut inbox: mpsc::Receiver<RoomCommand>,
        mut control: mpsc::Receiver<RoomCommand>,
    ) {
        if let Err(error) = self.load().await {
            tracing::error!(%error, "could not load the board");
            self.leave_registry();
            refuse_remaining(&mut inbox);
            refuse_remaining(&mut control);
            return;
        }
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let accepting = !self.needs_reload && self.deliveries.len() < MAX_QUEUED_DELIVERIES;
            let coalesce_until = self
                .staged
                .since
                .filter(|_| self.peers.len() >= COALESCE_PEERS)
                .map(|since| since + COALESCE_WINDOW)
                .filter(|until| *until > Instant::now());
            if !accepting
                || self.staged.updates.len() >= MAX_STAGED
                || (inbox.is_empty() && coalesce_until.is_none())
            {
                self.write_staged();
            }
            let coalesce_until = coalesce_until.filter(|_| !self.staged.updates.is_empty());
            if self.needs_reload && self.writes.is_empty() {
                if let Err(error) = self.load().await {
                    tracing::error!(%error, "could not reload the board");
                    self.close_all(CloseReason::UNAVAILABLE);
                    break;
                }
            }
            let flow = tokio::select! {
                Some(result) = self.writes.next(), if !self.writes.is_empty() => self.on_write_done(result),
                // Never gated: a revocation must not wait for the inbox.
                Some(command) = control.recv() => self.handle(command).await,
                command = inbox.recv(), if accepting => match command {
                    Some(command) => self.handle(command).await,
                    None => Flow::Stop,
                },
                _ = ticker.tick() => self.on_tick().await,
                () = tokio::time::sleep_until(tokio::time::Instant::from_std(
                    coalesce_until.unwrap_or_else(Instant::now),
                )), if coalesce_until.is_some() => Flow::Continue,
            };
            if let Flow::Stop = flow {
                break;
            }
        }
        self.leave_registry();
        refuse_remaining(&mut inbox);
        refuse_remaining(&mut control);
    }

    async fn load(&mut self) -> Result<(), String> {
        let store = self.store.clone();
        let board = self.board.clone();
        let stored = tokio::task::spawn_blocking(move || store.load_document(&board))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())?;
        self.doc = build_document(&stored)?;
        self.places = PlaceIndex::default();
        for update in stored.snapshot.iter().chain(stored.updates.iter()) {
            if let Ok(summary) = UpdateSummary::parse(update) {
                self.places.record_update(&summary);
            }
        }
        self.client_owners = stored.client_owners.iter().cloned().collect();
        self.deleted = self.doc.transact().snapshot().delete_set;
        self.state = self.doc.transact().state_vector();
        self.stored_bytes = stored.bytes;
        self.last_sequence = stored.last_sequence;
        self.updates_since_snapshot = stored.updates.len() as u64;
        self.cache = Cache::default();
        self.needs_reload = false;
        tracing::debug!(
            bytes = stored.bytes,
            updates = stored.updates.len(),
            "board loaded"
        );
        Ok(())
    }

    async fn handle(&mut self, command: RoomCommand) -> Flow {
        match command {
            RoomCommand::Join {
                peer,
                identity,
                link,
                checked,
                reply,
            } => {
                let _ = reply.send(self.join(peer, identity, link, checked));
            }
            RoomCommand::Inbound { peer, message } => self.on_message(peer, message),
            RoomCommand::Leave { peer } => self.leave(peer),
            RoomCommand::Disconnect { identity, done } => {
                let revoked: Vec<PeerId> = self
                    .peers
                    .iter()
                    .filter(|(_, peer)| peer.identity == identity)
                    .map(|(id, _)| *id)
                    .collect();
                for peer in revoked {
                    self.drop_peer(peer, CloseReason::REVOKED);
                }
                let _ = done.send(());
            }
            RoomCommand::DocumentState { reply } => {
                let state = self
                    .doc
                    .transact()
                    .encode_state_as_update_v1(&StateVector::default());
                let _ = reply.send(state);
            }
            #[cfg(test)]
            RoomCommand::Panic => panic!("a panic injected by a test"),
            RoomCommand::Shutdown { done } => {
                self.close_all(CloseReason::GOING_AWAY);
                self.finish().await;
                let _ = done.send(());
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn join(
        &mut self,
        peer: PeerId,
        identity: Identity,
        link: PeerLink,
        checked: RevocationMark,
    ) -> Result<(), JoinRefused> {
        // The registry records a revocation before it tells the room, so a
        // join handled after the room's `Disconnect` (or in a room started
        // after it) is caught here.
        if self
            .ledgers
            .get(&self.board)
            .is_some_and(|record| record.revoked_since(&identity, checked))
        {
            tracing::debug!(peer, "join with a token revoked since it was checked");
            return Err(JoinRefused::Revoked);
        }
        if self.peers.len() >= self.settings.max_connections_per_board {
            return Err(JoinRefused::Full);
        }
        tracing::debug!(peer, role = identity.role(), "peer joined");
        self.peers.insert(
            peer,
            Peer {
                identity,
                link,
                awareness_allowance: AWARENESS_BURST,
                awareness_checked: Instant::now(),
                awareness_noticed: None,
                sync_allowance: SYNC_REQUEST_BURST,
                sync_checked: Instant::now(),
            },
        );
        self.idle_since = None;
        let step1 = self.step1_frame();
        self.deliver_after_writes(Recipient::One(peer), step1);
        if let Some(states) = self.awareness.encode_all() {
            self.send(peer, awareness_frame(&states));
        }
        Ok(())
    }

    fn leave(&mut self, peer: PeerId) {
        if self.peers.remove(&peer).is_none() {
            return;
        }
        tracing::debug!(peer, "peer left");
        if let Some(removal) = self.awareness.remove_peer(peer) {
            self.broadcast_now(awareness_frame(&removal));
        }
        if self.peers.is_empty() {
            self.idle_since = Some(Instant::now());
        }
    }

    fn on_message(&mut self, peer: PeerId, message: Inbound) {
        let Some(identity) = self.peers.get(&peer).map(|p| p.identity.clone()) else {
            return;
        };
        match message {
            Inbound::SyncStep1(state_vector) => {
                if !self.take_sync_allowance(peer) {
                    self.drop_peer(peer, CloseReason::TOO_MANY_SYNC_REQUESTS);
                    return;
                }
                let answer = self.step2_frame(&state_vector);
                self.deliver_after_writes(Recipient::One(peer), answer);
            }
            Inbound::Update { payload, summary } => {
                self.on_update(peer, &identity, payload, &summary)
            }
            Inbound::Awareness(update) => self.on_awareness(peer, &identity, &update),
            Inbound::QueryAwareness => {
                if let Some(states) = self.awareness.encode_all() {
                    self.send(peer, awareness_frame(&states));
                }
            }
        }
    }

    fn on_update(
        &mut self,
        peer: PeerId,
        identity: &Identity,
        payload: Bytes,
        summary: &UpdateSummary,
    ) {
        // Every client answers our step 1 with a step 2, empty if it has
        // nothing new: that is not an edit, whoever sends it.
        if summary.is_empty() || self.changes_nothing(summary) {
            return;
        }
        if !self.fits(&payload) && !self.frees_space(summary) {
            self.full_since_snapshot = true;
            if !(self.compact_for_space() && self.fits(&payload)) {
                self.refuse_all(peer, summary, SIZE_LIMIT_REASON);
                return;
            }
        }
        let before = self.state.clone();
        let known = |client: u64| before.get(&ClientID::new(client));
        if let Some(missing) = summary.missing_dependency(known) {
            tracing::debug!(
                peer,
                client = missing.client,
                clock = missing.clock,
                "update with missing dependencies"
            );
            self.deny(
                peer,
                "update depends on changes the server does not have; resyncing",
            );
            // Ask for everything we lack: the peer answers with a sync step 2.
            let step1 = self.step1_frame();
            self.deliver_after_writes(Recipient::One(peer), step1);
            return;
        }
        if let Identity::Viewer = identity {
            self.refuse_all(peer, summary, "viewers cannot edit this board");
            return;
        }
        // Refused items keep their headers (see below): names the schema
        // does not have would let a participant fill the document.
        if let Identity::Participant(_) = identity {
            if let Err(reason) = board::check_names(summary) {
                self.refuse_all(peer, summary, reason);
                return;
            }
        }
        // A client id belongs to the identity that introduced it.
        let owner = identity.owner_key();
        let mut new_clients = Vec::new();
        for range in &summary.clients {
            if range.end <= known(range.client) {
                continue;
            }
            match self.client_owners.get(&range.client) {
                Some(existing) if *existing != owner => {
                    self.refuse_all(
                        peer,
                        summary,
                        "this edit uses a client id that belongs to someone else",
                    );
                    return;
                }
                Some(_) => {}
                None => new_clients.push((range.client, owner.clone())),
            }
        }
        let places = self.places.resolve(summary);
        let verdict = match identity {
            Identity::Participant(me) => {
                let deleted = &self.deleted;
                let txn = self.doc.transact();
                ownership::check(
                    me,
                    summary,
                    &places,
                    &self.places,
                    &BoardView::new(&txn),
                    known,
                    |id| deleted.contains(&ID::new(ClientID::new(id.client), id.clock)),
                )
            }
            Identity::Moderator | Identity::Viewer => ownership::Verdict {
                dropped: vec![false; summary.items.len()],
                ..ownership::Verdict::default()
            },
        };
        if verdict.is_clean() {
            if let Some(changed) = self.apply(peer, &payload, summary, &places, &before) {
                if changed {
                    self.commit(vec![payload.to_vec()], new_clients);
                }
            }
            return;
        }
        // Refused items stay as deleted content (their ids and neighbours
        // intact, so the sender's later edits still fit); refused deletions
        // are left out. What a refused item displaced the server writes
        // back; what a refused deletion removed on the sender's side it
        // restores (see `restore`).
        let mut deletes = verdict.allowed_deletes.clone();
        deletes.extend(dropped_ranges(summary, &verdict.dropped));
        let mut priors: Vec<(Place, Prior)> = Vec::new();
        for (place, _) in places
            .iter()
            .zip(&verdict.dropped)
            .filter(|(_, dropped)| **dropped)
        {
            if let Some(prior) = self.read_place(place) {
                priors.push((place.clone(), prior));
            }
        }
        let accepted = summary.rewrite(&payload, &verdict.dropped, &deletes);
        let Some(changed) = self.apply(peer, &accepted, summary, &places, &before) else {
            return;
        };
        let mut updates = Vec::new();
        if changed {
            updates.push(accepted);
        }
        let refused_deletes: Vec<DeleteRange> = verdict
            .refused_deletes
            .iter()
            .map(|(range, _)| *range)
            .collect();
        let written = self.write_back(&priors);
        let restored = self.restore_deleted(&refused_deletes);
        if written.is_some() || restored.is_some() {
            new_clients.extend(self.unbound_server_client());
        }
        updates.extend(written);
        updates.extend(restored);
        // One relayed update, so no screen shows the value gone and back.
        if updates.len() >= 2 {
            if let Ok(merged) = yrs::merge_updates_v1(updates.iter().map(Vec::as_slice)) {
                updates = vec![merged];
            }
        }
        self.commit(updates, new_clients);
        if let Some(reason) = verdict.reason {
            tracing::debug!(peer, reason, "refused part of an update");
            self.deny(peer, reason);
            self.revert(peer, summary, &verdict.dropped);
            self.count_refusal(peer);
        }
    }

    /// Whether the update only repeats what the document has: no struct the
    /// server lacks, no deletion of anything live. Yjs puts a document's
    /// whole delete set into every sync step 2, so a viewer (or anyone) that
    /// reconnects to a board where something was ever deleted sends one;
    /// that is not an edit and must not count as a refused one.
    fn changes_nothing(&self, summary: &UpdateSummary) -> bool {
        let inserts = summary
            .clients
            .iter()
            .any(|range| range.end > self.state.get(&ClientID::new(range.client)));
        if inserts {
            return false;
        }
        let mut requested = IdSet::new();
        for range in &summary.deletes {
            requested.insert(ID::new(ClientID::new(range.client), range.clock), range.len);
        }
        requested.diff(&self.deleted).is_empty()
    }

    /// Applies an accepted update and indexes its items. `Some(changed)`, or
    /// `None` if it could not be integrated (the board then reloads).
    /// `before` is the document's state vector before the update (building
    /// one walks every client of the document, so it is done once).
    fn apply(
        &mut self,
        peer: PeerId,
        update: &[u8],
        summary: &UpdateSummary,
        places: &[Place],
        before: &StateVector,
    ) -> Option<bool> {
        let decoded = match Update::decode_v1(update) {
            Ok(decoded) => decoded,
            Err(error) => {
                tracing::warn!(peer, %error, "update passed validation but yrs refused it");
                self.deny(peer, "malformed update");
                return None;
            }
        };
        let (applied, pending, newly_deleted) = {
            let mut txn = self.doc.transact_mut();
            let applied = txn.apply_update(decoded);
            let pending = txn.has_missing_updates();
            (applied, pending, txn.delete_set().clone())
        };
        self.deleted_since_snapshot |= !newly_deleted.is_empty();
        self.deleted.merge_with(newly_deleted);
        if applied.is_err() || pending {
            // Part of the update may have been integrated. It was neither
            // stored nor relayed: rebuild the document from the store.
            tracing::warn!(
                peer,
                "update left the document incomplete; reloading the board"
            );
            self.needs_reload = true;
            self.deny(peer, "update could not be integrated");
            return None;
        }
        self.places.record(summary, places);
        // Integrated without gaps: each client's clock is now its range's end.
        for range in &summary.clients {
            self.state.set_max(ClientID::new(range.client), range.end);
        }
        // The tracked state must match the document's. Computing the real
        // one costs a walk over every client, so only debug builds check,
        // and a mismatch is logged and corrected, never a panic: input
        // reaches this line.
        #[cfg(debug_assertions)]
        {
            let actual = self.doc.transact().state_vector();
            if self.state != actual {
                tracing::error!(peer, "tracked state vector was wrong; corrected");
                self.state = actual;
            }
        }
        let inserts = summary
            .clients
            .iter()
            .any(|range| range.end > before.get(&ClientID::new(range.client)));
        Some(inserts || !summary.deletes.is_empty())
    }

    /// Stages updates already applied to the document (with the client ids
    /// they introduce) for the next write, and relays each once that write
    /// is committed.
    fn commit(&mut self, updates: Vec<Vec<u8>>, new_clients: Vec<(u64, String)>) {
        if updates.is_empty() {
            return;
        }
        for (client, owner) in &new_clients {
            self.client_owners.insert(*client, owner.clone());
        }
        self.cache = Cache::default();
        if self.staged.updates.is_empty() {
            // The write these updates will go out in: relays queued from
            // now on wait for it.
            self.writes_issued += 1;
            self.staged.since = Some(Instant::now());
        }
        self.staged.new_clients.extend(new_clients);
        for update in updates {
            self.staged.bytes += update.len() as u64;
            let relay = Bytes::from(update.clone());
            self.staged.updates.push(update);
            self.queue(Recipient::All, Payload::Update(relay));
        }
    }

    /// Writes the staged updates in one transaction (the write `commit`
    /// already counted as issued).
    fn write_staged(&mut self) {
        if self.staged.updates.is_empty() {
            return;
        }
        let staged = std::mem::take(&mut self.staged);
        let count = staged.updates.len() as u64;
        let write = self
            .store
            .append_updates(&self.board, staged.updates, staged.new_clients);
        self.writes.push_back(write);
        self.write_kinds.push_back(WriteKind::Append {
            bytes: staged.bytes,
            count,
        });
    }

    /// The value at a map place, to write back after a refused edit.
    fn read_place(&self, place: &Place) -> Option<Prior> {
        let txn = self.doc.transact();
        let (root, key, field) = match place {
            Place::Entry { root, key } => (root, key, None),
            Place::Field { root, key, field } => (root, key, Some(field)),
            Place::Other => return None,
        };
        let value = txn.get_map(root.as_ref())?.get(&txn, key);
        let value = match field {
            None => value,
            Some(field) => match value {
                Some(Out::YMap(entry)) => entry.get(&txn, field),
                _ => return None,
            },
        };
        Some(match value {
            None => Prior::Absent,
            Some(Out::Any(value)) => Prior::Value(value),
            Some(Out::YMap(map)) => {
                let mut fields: Vec<(String, yrs::Any)> = map
                    .iter(&txn)
                    .filter_map(|(field, value)| match value {
                        Out::Any(value) => Some((field.to_owned(), value)),
                        _ => None,
                    })
                    .collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Prior::Map(fields)
            }
            Some(_) => return None,
        })
    }

    /// Writes back, as the server, values a refused edit displaced (if they
    /// changed). Returns the transaction's update.
    fn write_back(&mut self, priors: &[(Place, Prior)]) -> Option<Vec<u8>> {
        let mut todo: Vec<(&Place, &Prior)> = Vec::new();
        // Sets, not scans of `todo`: a hostile update can refuse many places.
        let mut in_todo: HashSet<&Place> = HashSet::new();
        for (place, prior) in priors {
            if matches!(prior, Prior::Absent) || in_todo.contains(place) {
                continue;
            }
            if self.read_place(place).as_ref() != Some(prior) {
                todo.push((place, prior));
                in_todo.insert(place);
            }
        }
        // A re-created entry brings its fields along.
        let recreated: HashSet<(&str, &str)> = todo
            .iter()
            .filter_map(|(place, prior)| match (place, prior) {
                (Place::Entry { root, key }, Prior::Map(_)) => Some((root.as_ref(), key.as_ref())),
                _ => None,
            })
            .collect();
        todo.retain(|(place, _)| match place {
            Place::Field { root, key, .. } => !recreated.contains(&(root.as_ref(), key.as_ref())),
            _ => true,
        });
        if todo.is_empty() {
            return None;
        }
        let update = {
            let mut txn = self.doc.transact_mut();
            for (place, prior) in &todo {
                match (place, prior) {
                    (Place::Entry { root, key }, Prior::Value(value)) => {
                        let map = txn.get_or_insert_map(root.as_ref());
                        map.insert(&mut txn, key.as_ref(), In::Any(value.clone()));
                    }
                    (Place::Entry { root, key }, Prior::Map(fields)) => {
                        let map = txn.get_or_insert_map(root.as_ref());
                        let copy: MapPrelim = fields
                            .iter()
                            .map(|(field, value)| (field.clone(), In::Any(value.clone())))
                            .collect();
                        map.insert(&mut txn, key.as_ref(), copy);
                    }
                    (Place::Field { root, key, field }, Prior::Value(value)) => {
                        let map = txn.get_or_insert_map(root.as_ref());
                        if let Some(Out::YMap(entry)) = map.get(&txn, key) {
                            entry.insert(&mut txn, field.as_ref(), In::Any(value.clone()));
                        }
                    }
                    _ => {}
                }
            }
            self.deleted.merge_with(txn.delete_set().clone());
            txn.encode_update_v1()
        };
        self.state = self.doc.transact().state_vector();
        let summary = UpdateSummary::parse(&update).ok()?;
        if summary.is_empty() {
            return None;
        }
        self.places.record_update(&summary);
        Some(update)
    }

    /// Refuses a whole update: nothing of it is applied, stored or relayed.
    /// What its deletions removed on the sender's side is restored (for
    /// everyone, see `restore`), so the sender converges again.
    fn refuse_all(&mut self, peer: PeerId, summary: &UpdateSummary, reason: &'static str) {
        tracing::debug!(peer, reason, "refused an update");
        self.deny(peer, reason);
        if let Some(update) = self.restore_deleted(&summary.deletes) {
            let new_clients = self.unbound_server_client().into_iter().collect();
            self.commit(vec![update], new_clients);
        }
        self.revert(peer, summary, &vec![true; summary.items.len()]);
        self.count_refusal(peer);
    }

    /// Replaces what `deletes` covers that is live here with copies (see
    /// `restore`) and indexes them. Returns the update to commit.
    fn restore_deleted(&mut self, deletes: &[DeleteRange]) -> Option<Vec<u8>> {
        if deletes.is_empty() {
            return None;
        }
        let update = restore(&self.doc, deletes)?;
        let summary = UpdateSummary::parse(&update).ok()?;
        for range in &summary.deletes {
            self.deleted
                .insert(ID::new(ClientID::new(range.client), range.clock), range.len);
        }
        self.state = self.doc.transact().state_vector();
        self.places.record_update(&summary);
        Some(update)
    }

    /// The server's own client id, if no identity has it yet (before the
    /// server first writes under it).
    fn unbound_server_client(&self) -> Option<(u64, String)> {
        let server_client = self.doc.client_id().get();
        (!self.client_owners.contains_key(&server_client))
            .then(|| (server_client, SERVER_OWNER.to_owned()))
    }

    /// Brings the sender back in line: its refused items disappear from its
    /// document (a delete set only for it).
    fn revert(&mut self, peer: PeerId, summary: &UpdateSummary, dropped: &[bool]) {
        let deletes = dropped_ranges(summary, dropped);
        if deletes.is_empty() {
            return;
        }
        let mut update = vec![0];
        write_delete_set(&mut update, &deletes);
        let frame = Frame::binary(&Message::Update(&update).encode());
        self.deliver_after_writes(Recipient::One(peer), frame);
    }

    /// Counts a refusal against the sender's identity (not its connection:
    /// reconnecting does not start over) and closes the sender once the
    /// identity has too many.
    fn count_refusal(&mut self, peer: PeerId) {
        let Some(state) = self.peers.get(&peer) else {
            return;
        };
        let owner = state.identity.owner_key();
        let refusals = {
            let mut record = self.ledgers.entry(self.board.clone()).or_default();
            let count = record.refusals.entry(owner).or_default();
            *count = count.saturating_add(1);
            *count
        };
        if refusals >= MAX_REFUSALS {
            self.drop_peer(peer, CloseReason::TOO_MANY_REFUSALS);
        }
    }

    /// Takes one sync step 1 from the peer's allowance; false when none
    /// is left.
    fn take_sync_allowance(&mut self, peer: PeerId) -> bool {
        let Some(state) = self.peers.get_mut(&peer) else {
            return false;
        };
        let now = Instant::now();
        let refill =
            now.duration_since(state.sync_checked).as_secs_f64() * SYNC_REQUESTS_PER_SECOND;
        state.sync_allowance = (state.sync_allowance + refill).min(SYNC_REQUEST_BURST);
        state.sync_checked = now;
        if state.sync_allowance < 1.0 {
            return false;
        }
        state.sync_allowance -= 1.0;
        true
    }

    fn on_awareness(&mut self, peer: PeerId, identity: &Identity, update: &[u8]) {
        // Refused before any per-entry work: more clients than the server
        // ever told anyone about, plus this connection's own allowance.
        let allowed = self.awareness.known_clients() + MAX_AWARENESS_CLIENTS_PER_PEER;
        match awareness::declared_entries(update) {
            Ok(count) if count <= allowed as u64 => {}
            Ok(_) => {
                self.deny(peer, "too many awareness states on one connection");
                return;
            }
            Err(_) => return,
        }
        let Ok(entries) = awareness::decode(update) else {
            return;
        };
        // Stock clients send back every state they receive; those echoes
        // are not admissible and cost nothing, so a phone in a busy room
        // keeps its allowance for its own states. An awareness client id is
        // the sender's own only if no other identity has written under it
        // (the same binding as for updates) or set a state under it
        // (remembered after that state went).
        let owner = identity.owner_key();
        let entries: Vec<_> = entries
            .into_iter()
            .filter(|entry| {
                self.client_owners
                    .get(&entry.client)
                    .is_none_or(|bound| *bound == owner)
                    && self.awareness.admissible(identity, entry)
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        let now = Instant::now();
        let refill =
            now.duration_since(state.awareness_checked).as_secs_f64() * AWARENESS_PER_SECOND;
        state.awareness_allowance = (state.awareness_allowance + refill).min(AWARENESS_BURST);
        state.awareness_checked = now;
        // Presence is ephemeral: over the rate it is dropped, and the
        // sender is told so now and then.
        if state.awareness_allowance < 1.0 {
            tracing::debug!(peer, "awareness over the rate, dropped");
            if state
                .awareness_noticed
                .is_none_or(|at| now >= at + NOTICE_INTERVAL)
            {
                state.awareness_noticed = Some(now);
                self.deny(peer, AWARENESS_RATE_NOTICE);
            }
            return;
        }
        state.awareness_allowance -= 1.0;
        if entries
            .iter()
            .any(|entry| entry.state.len() > MAX_AWARENESS_STATE_BYTES)
        {
            self.deny(peer, "awareness state is too large");
            return;
        }
        if self.awareness.clients_of(peer, &entries) > MAX_AWARENESS_CLIENTS_PER_PEER {
            self.deny(peer, "too many awareness states on one connection");
            return;
        }
        if let Some(changed) = self.awareness.apply(peer, identity, &entries, now) {
            self.broadcast_now(awareness_frame(&changed));
        }
    }

    fn issue_write(&mut self, write: PendingWrite, kind: WriteKind) {
        self.writes.push_back(write);
        self.write_kinds.push_back(kind);
        self.writes_issued += 1;
    }

    fn on_write_done(
        &mut self,
        result: Result<Result<u64, StoreError>, oneshot::error::RecvError>,
    ) -> Flow {
        self.writes_done += 1;
        let kind = self.write_kinds.pop_front();
        let sequence = match result {
            Ok(Ok(sequence)) => sequence,
            Ok(Err(error)) => {
                tracing::error!(%error, "store write failed; closing the board's connections");
                self.close_all(CloseReason::UNAVAILABLE);
                return Flow::Stop;
            }
            Err(_) => {
                tracing::error!("store writer went away; closing the board's connections");
                self.close_all(CloseReason::UNAVAILABLE);
                return Flow::Stop;
            }
        };
        match kind {
            Some(WriteKind::Append { bytes, count }) => {
                self.last_sequence = self.last_sequence.max(sequence);
                self.stored_bytes += bytes;
                self.updates_since_snapshot += count;
            }
            Some(WriteKind::Compact) | None => {}
        }
        self.flush_deliveries();
        // Not while a reload is pending: the document may then hold part of
        // an update that could not be integrated, which a snapshot would
        // make permanent.
        if self.updates_since_snapshot >= self.settings.compact_after_updates
            && self.writes.is_empty()
            && self.staged.updates.is_empty()
            && !self.needs_reload
        {
            self.compact();
        } else {
            self.compact_for_space();
        }
        Flow::Continue
    }

    /// Whether an update of this size fits under the board's size limit.
    fn fits(&self, update: &[u8]) -> bool {
        self.stored_bytes.saturating_add(update.len() as u64) <= self.settings.max_document_bytes
    }

    /// An update that inserts nothing and deletes something not yet
    /// deleted: accepted on a full board (subject to the ownership rule),
    /// so the moderator, and everyone on their own entries, can make room.
    fn frees_space(&self, summary: &UpdateSummary) -> bool {
        if !summary.items.is_empty() || summary.clients.iter().any(|c| c.end > c.start) {
            return false;
        }
        // Sorted, so each insert appends (a sender may order its ranges
        // any way it likes).
        let mut ranges: Vec<_> = summary
            .deletes
            .iter()
            .map(|range| (range.client, range.clock, range.len))
            .collect();
        ranges.sort_unstable();
        let mut requested = IdSet::new();
        for (client, clock, len) in ranges {
            requested.insert(ID::new(ClientID::new(client), clock), len);
        }
        !requested.diff(&self.deleted).is_empty()
    }

    /// On a full board where something was deleted since the last
    /// snapshot: compacts now, so the deleted content stops counting.
    /// True if it did (the stored size is then the new snapshot's).
    fn compact_for_space(&mut self) -> bool {
        let due = self.full_since_snapshot
            && self.deleted_since_snapshot
            && self.updates_since_snapshot > 0
            && !self.needs_reload
            && self.writes.is_empty()
            && self.staged.updates.is_empty()
            && self
                .compacted_for_space
                .is_none_or(|at| at.elapsed() >= SPACE_COMPACTION_INTERVAL);
        if due {
            tracing::debug!("compacting a full board to free space");
            self.compacted_for_space = Some(Instant::now());
            self.compact();
        }
        due
    }

    /// Replaces the log with one snapshot. Only called with no write in
    /// flight and none staged, so the document is exactly what the store
    /// holds.
    fn compact(&mut self) {
        let snapshot = self
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        self.stored_bytes = snapshot.len() as u64;
        self.updates_since_snapshot = 0;
        self.full_since_snapshot = false;
        self.deleted_since_snapshot = false;
        let write = self
            .store
            .compact(&self.board, snapshot, self.last_sequence);
        self.issue_write(write, WriteKind::Compact);
    }

    async fn on_tick(&mut self) -> Flow {
        let now = Instant::now();
        if let Some(removal) = self.awareness.expire(now, self.settings.awareness_timeout) {
            self.broadcast_now(awareness_frame(&removal));
        }
        // A compaction for space that was held back by writes in flight or
        // by the interval.
        self.compact_for_space();
        match self.idle_since {
            Some(since)
                if now.duration_since(since) >= self.settings.idle_room
                    && self.peers.is_empty() =>
            {
                self.finish().await;
                Flow::Stop
            }
            _ => Flow::Continue,
        }
    }

    /// Waits for every write, compacts if the log grew, and leaves the
    /// registry so the next joiner starts a fresh room.
    async fn finish(&mut self) {
        self.leave_registry();
        self.write_staged();
        while let Some(result) = self.writes.next().await {
            if let Flow::Stop = self.on_write_done(result) {
                return;
            }
        }
        if self.updates_since_snapshot > 0 && !self.needs_reload {
            self.compact();
            while let Some(result) = self.writes.next().await {
                self.on_write_done(result);
            }
        }
        tracing::debug!("room closed");
    }

    fn leave_registry(&self) {
        self.rooms
            .remove_if(&self.board, |_, handle| handle.instance == self.instance);
    }

    fn deny(&mut self, peer: PeerId, reason: &str) {
        self.send(
            peer,
            Frame::binary(&Message::PermissionDenied(reason).encode()),
        );
    }

    fn step1_frame(&mut self) -> Frame {
        let doc = &self.doc;
        self.cache
            .step1
            .get_or_insert_with(|| {
                let state_vector = doc.transact().state_vector().encode_v1();
                Frame::binary(&Message::SyncStep1(&state_vector).encode())
            })
            .clone()
    }

    fn step2_frame(&mut self, remote: &[u8]) -> Frame {
        let remote: StateVector = StateVector::decode_v1(remote).unwrap_or_default();
        // The common case (a new client) without computing our state vector.
        if remote.is_empty() {
            if let Some(frame) = &self.cache.full_state_step2 {
                return frame.clone();
            }
        }
        let txn = self.doc.transact();
        let current = txn.state_vector();
        // What the answer depends on: the remote clocks of clients the room
        // knows, at most the room's own. Clients the room does not know and
        // clocks beyond its own ask for nothing, so a crafted vector that
        // names only such clients gets the cached full state, not an encode.
        let mut normalized = StateVector::default();
        for (client, clock) in remote.iter() {
            let clock = (*clock).min(current.get(client));
            if clock > 0 {
                normalized.set_max(*client, clock);
            }
        }
        let remote = normalized;
        if remote.is_empty() {
            if let Some(frame) = &self.cache.full_state_step2 {
                return frame.clone();
            }
        }
        if let Some((state, frame)) = &self.cache.up_to_date_step2 {
            if *state == remote {
                return frame.clone();
            }
        }
        let update = txn.encode_state_as_update_v1(&remote);
        let frame = Frame::binary(&Message::SyncStep2(&update).encode());
        drop(txn);
        if remote.is_empty() {
            self.cache.full_state_step2 = Some(frame.clone());
        } else if current == remote {
            self.cache.up_to_date_step2 = Some((remote, frame.clone()));
        }
        frame
    }

    /// Queues a frame that reflects the document behind the writes issued
    /// so far; sends it at once when none is in flight.
    fn deliver_after_writes(&mut self, recipient: Recipient, frame: Frame) {
        self.queue(recipient, Payload::Frame(frame));
    }

    fn queue(&mut self, recipient: Recipient, payload: Payload) {
        let delivery = Delivery {
            after_write: self.writes_issued,
            recipient,
            payload,
        };
        if self.deliveries.is_empty() && self.writes_done >= delivery.after_write {
            self.deliver(delivery.recipient, delivery.payload);
        } else {
            self.deliveries.push_back(delivery);
        }
    }

    fn flush_deliveries(&mut self) {
        let mut relays = Vec::new();
        while self
            .deliveries
            .front()
            .is_some_and(|delivery| delivery.after_write <= self.writes_done)
        {
            let Some(delivery) = self.deliveries.pop_front() else {
                break;
            };
            match (delivery.recipient, delivery.payload) {
                (Recipient::All, Payload::Update(update)) => relays.push(update),
                (recipient, payload) => {
                    self.relay(std::mem::take(&mut relays));
                    self.deliver(recipient, payload);
                }
            }
        }
        self.relay(relays);
    }

    /// Broadcasts updates that became durable together, merged into one.
    fn relay(&mut self, updates: Vec<Bytes>) {
        let merged = match updates.len() {
            0 => return,
            1 => None,
            _ => yrs::merge_updates_v1(updates.iter().map(Bytes::as_ref)).ok(),
        };
        match merged {
            Some(update) => self.broadcast_now(Frame::binary(&Message::Update(&update).encode())),
            None => {
                for update in updates {
                    self.broadcast_now(Frame::binary(&Message::Update(&update).encode()));
                }
            }
        }
    }

    fn deliver(&mut self, recipient: Recipient, payload: Payload) {
        let frame = match payload {
            Payload::Frame(frame) => frame,
            Payload::Update(update) => Frame::binary(&Message::Update(&update).encode()),
        };
        match recipient {
            Recipient::All => self.broadcast_now(frame),
            Recipient::One(peer) => self.send(peer, frame),
        }
    }

    fn broadcast_now(&mut self, frame: Frame) {
        let mut too_slow = Vec::new();
        for (id, peer) in &self.peers {
            if !try_send(peer, &frame) {
                too_slow.push(*id);
            }
        }
        for peer in too_slow {
            self.drop_peer(peer, CloseReason::TOO_SLOW);
        }
    }

    fn send(&mut self, peer: PeerId, frame: Frame) {
        let delivered = match self.peers.get(&peer) {
            Some(target) => try_send(target, &frame),
            None => true,
        };
        if !delivered {
            self.drop_peer(peer, CloseReason::TOO_SLOW);
        }
    }

    /// Closes a peer that cannot take more frames (it resyncs when it
    /// reconnects) or is otherwise done.
    fn drop_peer(&mut self, peer: PeerId, reason: CloseReason) {
        if let Some(removed) = self.peers.get(&peer) {
            tracing::info!(peer, code = reason.code, reason = %reason.reason, "closing peer");
            removed.link.close(reason);
        }
        self.leave(peer);
    }

    fn close_all(&mut self, reason: CloseReason) {
        for (_, peer) in self.peers.drain() {
            peer.link.close(reason.clone());
        }
        self.idle_since = Some(Instant::now());
    }
}

/// The value at a map place before an update.
#[derive(Debug, Clone, PartialEq)]
enum Prior {
    Absent,
    Value(yrs::Any),
    /// A nested map's primitive fields, sorted by name.
    Map(Vec<(String, yrs::Any)>),
}

/// The id ranges of the items marked dropped.
fn dropped_ranges(summary: &UpdateSummary, dropped: &[bool]) -> Vec<DeleteRange> {
    summary
        .items
        .iter()
        .zip(dropped)
        .filter(|(_, dropped)| **dropped)
        .map(|(item, _)| DeleteRange {
            client: item.id.client,
            clock: item.id.clock,
            len: item.len,
        })
        .collect()
}

/// True if the frame went out or waits for the peer, or the peer is
/// already gone; false if the peer cannot keep up.
fn try_send(peer: &Peer, frame: &Frame) -> bool {
    peer.link.send(frame)
}

fn awareness_frame(update: &[u8]) -> Frame {
    Frame::binary(&Message::Awareness(update).encode())
}

/// Answers joins that raced with the room's end so they retry elsewhere.
fn refuse_remaining(inbox: &mut mpsc::Receiver<RoomCommand>) {
    inbox.close();
    while let Ok(command) = inbox.try_recv() {
        match command {
            RoomCommand::Join { reply, link, .. } => {
                let _ = reply.send(Err(JoinRefused::Closing(link)));
            }
            RoomCommand::Shutdown { done } => {
                let _ = done.send(());
            }
            RoomCommand::Disconnect { done, .. } => {
                let _ = done.send(());
            }
            RoomCommand::Inbound { .. }
            | RoomCommand::Leave { .. }
            | RoomCommand::DocumentState { .. } => {}
            #[cfg(test)]
            RoomCommand::Panic => {}
        }
    }
}

/// Rebuilds a document from its snapshot and log. Everything stored passed
/// validation before it was written.
pub fn build_document(stored: &StoredDocument) -> Result<Doc, String> {
    let doc = Doc::new();
    {
        let mut txn = doc.transact_mut();
        for update in stored.snapshot.iter().chain(stored.updates.iter()) {
            let update = Update::decode_v1(update).map_err(|error| error.to_string())?;
            txn.apply_update(update)
                .map_err(|error| error.to_string())?;
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::super::test_harness::{TestPeer, harness, stored_card};
    use super::super::{CloseReason, OUTBOX_FRAMES, RoomSettings};
    use crate::protocol::Message;
    use crate::protocol::update::UpdateSummary;
    use crate::socket::OutletLimits;
    use crate::store::Store;
    use yrs::updates::encoder::Encode;
    use yrs::{Doc, Map, ReadTxn, StateVector, Transact};

    /// An update whose items from one client depend on each other in a
    /// cycle (each one's origin is the other), plus a valid map entry from
    /// a second client. The parser cannot see the cycle; yrs integrates
    /// the entry and leaves the cycle pending.
    fn cyclic_update() -> Vec<u8> {
        let (cyclic, valid) = (42u8, 77u8);
        let mut update = vec![2];
        // Client `cyclic`: two string items, origins (cyclic, 1) and (cyclic, 0).
        update.extend_from_slice(&[2, cyclic, 0]);
        update.extend_from_slice(&[0x84, cyclic, 1, 1, b'a']);
        update.extend_from_slice(&[0x84, cyclic, 0, 1, b'b']);
        // Client `valid`: cards["partial"] = "teilweise".
        update.extend_from_slice(&[1, valid, 0, 0x28, 1, 5]);
        update.extend_from_slice(b"cards");
        update.push(7);
        update.extend_from_slice(b"partial");
        update.extend_from_slice(&[1, 119, 9]);
        update.extend_from_slice(b"teilweise");
        // No deletions.
        update.push(0);
        update
    }

    #[tokio::test]
    async fn an_update_that_cannot_be_integrated_never_reaches_the_store() {
        let update = cyclic_update();
        let summary = UpdateSummary::parse(&update).expect("the parser accepts it");
        assert!(
            summary.missing_dependency(|_| 0).is_none(),
            "the cycle is not visible before applying"
        );

        // Compact after every write, so the write before the bad update is
        // followed by a compaction while the bad update is in the document.
        let harness = harness(RoomSettings {
            compact_after_updates: 1,
            ..RoomSettings::default()
        });
        let mut writer = TestPeer::join(&harness, "board").await;
        let before = writer.doc.transact().state_vector();
        writer.doc.get_or_insert_map("cards").insert(
            &mut writer.doc.transact_mut(),
            "good",
            "bleibt",
        );
        let good = writer.doc.transact().encode_state_as_update_v1(&before);
        // Both reach the room's inbox before it runs (one thread, no await
        // in between that yields): the good update is staged, not yet
        // written, when the bad one is applied.
        writer.send(Message::Update(&good)).await;
        writer.send(Message::Update(&update)).await;
        writer
            .pump_until("the refusal", |message| {
                matches!(message, Message::PermissionDenied(reason) if reason.contains("could not be integrated"))
            })
            .await;
        // The room reloads before it reads on; a later edit (and the
        // compaction after it) goes through.
        writer.write_card("later", "auch").await;

        assert_eq!(
            stored_card(&harness.store, "board", "good").as_deref(),
            Some("bleibt")
        );
        assert_eq!(
            stored_card(&harness.store, "board", "later").as_deref(),
            Some("auch")
        );
        assert_eq!(
            stored_card(&harness.store, "board", "partial"),
            None,
            "nothing of the refused update is stored"
        );
        let stored = harness.store.load_document("board").expect("loads");
        assert!(stored.snapshot.is_some(), "the board was compacted");
        let late = TestPeer::join(&harness, "board").await;
        assert_eq!(late.card("good").as_deref(), Some("bleibt"));
        assert_eq!(late.card("partial"), None);
    }

    #[tokio::test]
    async fn a_peer_whose_waiting_frames_pass_the_byte_limit_is_closed_with_1013() {
        let harness = harness(RoomSettings::default());
        let mut writer = TestPeer::join(&harness, "board").await;
        // Never reads again; a quarter MiB may wait for it.
        let stalled = TestPeer::join_with(
            &harness,
            "board",
            OutletLimits {
                frames: OUTBOX_FRAMES,
                bytes: 256 * 1024,
            },
        )
        .await;
        let text = "x".repeat(200 * 1024);
        // The socket's own buffers take some megabytes first; far fewer
        // than 1024 frames then pass the byte limit.
        let mut cards = 0;
        while stalled.outlet_is_open() {
            assert!(
                cards < 100,
                "100 relays of 200 KiB never passed a 256 KiB byte limit"
            );
            writer.write_card(&format!("card-{cards}"), &text).await;
            cards += 1;
        }
        assert_eq!(stalled.closed_reason().await, Some(CloseReason::TOO_SLOW));
        // The room goes on for the others.
        writer.write_card("after", "weiter").await;
    }

    #[tokio::test]
    async fn sync_step_1_answers_ignore_unknown_clients_and_a_flood_is_closed() {
        let harness = harness(RoomSettings::default());
        let mut writer = TestPeer::join(&harness, "board").await;
        writer.write_card("first", "eins").await;

        // A vector of a client the room does not know: answered with the
        // whole document (from the full-state cache).
        let mut crafted = StateVector::default();
        crafted.set_max(yrs::ClientID::new(123_456), 7);
        let mut reader = TestPeer::join(&harness, "board").await;
        let mut fresh = Doc::new();
        std::mem::swap(&mut reader.doc, &mut fresh);
        reader.send(Message::SyncStep1(&crafted.encode_v1())).await;
        reader
            .pump_until("the answer", |message| {
                matches!(message, Message::SyncStep2(_))
            })
            .await;
        assert_eq!(reader.card("first").as_deref(), Some("eins"));

        // Ten step 1s are answered (the join and the crafted one above
        // used two of the burst of ten); the next closes the connection.
        for _ in 0..8 {
            reader.send(Message::SyncStep1(&crafted.encode_v1())).await;
        }
        let mut answers = 0;
        reader
            .pump_until("eight more answers", |message| {
                answers += usize::from(matches!(message, Message::SyncStep2(_)));
                answers == 8
            })
            .await;
        assert!(reader.outlet_is_open());
        reader.send(Message::SyncStep1(&crafted.encode_v1())).await;
        assert_eq!(
            reader.closed_reason().await,
            Some(CloseReason::TOO_MANY_SYNC_REQUESTS)
        );
        writer.write_card("second", "zwei").await;
    }
}
