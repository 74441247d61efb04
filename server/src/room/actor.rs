//! The room task: one board's document, awareness and peers, and the loop
//! that serves them.
//!
//! The room decides with [`Admission`] whether an update may enter at all,
//! applies what the ownership check lets through, repairs the sender (and
//! everyone) after a refusal (`repair`), and sends what reflects the
//! document only through [`Delivery`], behind the writes it depends on.
//! Its sub-states each own their part: [`Peers`], [`SyncCache`],
//! [`StoredLog`].

use super::admission::{Admission, Verdict};
use super::awareness::AwarenessTable;
use super::command::ErasureFailed;
use super::compaction::StoredLog;
use super::delivery::{Delivery, Recipient, WriteKind, WriteResult};
use super::peers::{AwarenessRate, Peers};
use super::repair::{self, Prior};
use super::secrecy::{self, Cards, Class, Secrets};
use super::sync::SyncCache;
use super::{
    CloseReason, Inbound, JoinRefused, Ledgers, PeerId, PeerLink, RevocationMark, RoomCommand,
    RoomSettings, Rooms, SERVER_OWNER,
};
use crate::auth::{Identity, ownership};
use crate::board::BoardView;
use crate::board::erasure::{self, Authored, Erased};
use crate::board::places::{Place, PlaceIndex};
use crate::metrics::{METRICS, Refusal};
use crate::protocol::update::{DeleteRange, UpdateSummary};
use crate::protocol::{Message, awareness};
use crate::socket::Frame;
use crate::store::{Store, StoredDocument};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, ID, IdSet, ReadTxn, StateVector, Transact, Update};

/// How often expiry and idleness are checked.
const TICK: Duration = Duration::from_secs(1);

/// Refused edits an identity may make on a board before its connections
/// are closed (counted while the server runs, across reconnects).
const MAX_REFUSALS: u32 = 20;

/// Awareness: live client ids per connection and bytes per state (the
/// rate a connection may send at is its allowance in `peers`).
const MAX_AWARENESS_CLIENTS_PER_PEER: usize = 4;
const MAX_AWARENESS_STATE_BYTES: usize = 4096;

/// What a connection over the awareness rate is told, now and then
/// (presence is ephemeral: the states are dropped).
const AWARENESS_RATE_NOTICE: &str = "awareness sent too often: some presence updates were dropped";

/// What an update that would grow a full board is told.
const SIZE_LIMIT_REASON: &str = "the board has reached its size limit";

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
    /// Deleted ids of the document, kept up to date with each transaction
    /// (computing it from the document costs a walk over every block).
    deleted: IdSet,
    /// The entry or field every integrated item belongs to.
    places: PlaceIndex,
    /// Which identity introduced each Yjs client id.
    client_owners: HashMap<u64, String>,
    /// Whether the cards were revealed as of the last commit: when that
    /// turns true, the server writes the hidden texts anew (`secrecy`).
    revealed: bool,
    /// Per card whose text the server wrote anew: its item and the item it
    /// replaced. An author's edit built on that same item that lost to the
    /// server's copy (still the value) lost only by the order of client
    /// ids; it is written again.
    republished: HashMap<
        String,
        (
            crate::protocol::update::Id,
            Option<crate::protocol::update::Id>,
        ),
    >,
    /// The document may hold state the store does not: reload once the
    /// writes in flight are done.
    needs_reload: bool,
    peers: Peers,
    awareness: AwarenessTable,
    sync: SyncCache,
    delivery: Delivery,
    log: StoredLog,
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
            deleted: IdSet::new(),
            places: PlaceIndex::default(),
            client_owners: HashMap::new(),
            revealed: false,
            republished: HashMap::new(),
            needs_reload: false,
            peers: Peers::new(Instant::now()),
            awareness: AwarenessTable::default(),
            sync: SyncCache::default(),
            delivery: Delivery::default(),
            log: StoredLog::default(),
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
            let accepting = !self.needs_reload && !self.delivery.backlogged();
            let coalesce_until = self
                .delivery
                .coalesce_until(self.peers.len(), Instant::now());
            if !accepting
                || self.delivery.staged_full()
                || (inbox.is_empty() && coalesce_until.is_none())
            {
                self.write_staged();
            }
            let coalesce_until = coalesce_until.filter(|_| self.delivery.has_staged());
            if self.needs_reload && !self.delivery.writing() {
                if let Err(error) = self.load().await {
                    tracing::error!(%error, "could not reload the board");
                    self.close_all(CloseReason::UNAVAILABLE);
                    break;
                }
            }
            let flow = tokio::select! {
                Some((result, kind)) = self.delivery.next_write(), if self.delivery.writing() => self.on_write_done(result, kind),
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
        self.republished.clear();
        for update in stored.snapshot.iter().chain(stored.updates.iter()) {
            if let Ok(summary) = UpdateSummary::parse(update) {
                self.places.record_update(&summary);
            }
        }
        self.client_owners = stored.client_owners.iter().cloned().collect();
        self.deleted = self.doc.transact().snapshot().delete_set;
        self.state = self.doc.transact().state_vector();
        self.revealed = BoardView::new(&self.doc.transact()).revealed();
        self.log.loaded(
            stored.bytes,
            stored.last_sequence,
            stored.updates.len() as u64,
        );
        self.sync.clear();
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
                for peer in self.peers.of_identity(&identity) {
                    self.drop_peer(peer, CloseReason::REVOKED);
                }
                let _ = done.send(());
            }
            RoomCommand::Erase {
                participant,
                authored,
                reply,
            } => {
                let result = self.erase(&participant, authored).await;
                let failed = result.is_err();
                let _ = reply.send(result);
                if failed {
                    return Flow::Stop;
                }
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
            RoomCommand::Shutdown { reason, done } => {
                self.close_all(reason);
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
        self.peers.insert(peer, identity, link, Instant::now());
        let step1 = self.sync.step1(&self.doc);
        self.deliver_after_writes(Recipient::One(peer), step1);
        if let Some(states) = self.awareness.encode_all() {
            self.send(peer, awareness_frame(&states));
        }
        Ok(())
    }

    fn leave(&mut self, peer: PeerId) {
        if !self.peers.remove(peer) {
            return;
        }
        tracing::debug!(peer, "peer left");
        if let Some(removal) = self.awareness.remove_peer(peer) {
            self.broadcast_now(awareness_frame(&removal));
        }
    }

    fn on_message(&mut self, peer: PeerId, message: Inbound) {
        let Some(identity) = self.peers.identity(peer).cloned() else {
            return;
        };
        match message {
            Inbound::SyncStep1(state_vector) => {
                if !self.peers.take_sync_request(peer, Instant::now()) {
                    self.drop_peer(peer, CloseReason::TOO_MANY_SYNC_REQUESTS);
                    return;
                }
                let answer = self.step2_for(&identity, &state_vector);
                self.deliver_after_writes(Recipient::One(peer), answer);
            }
            Inbound::Update { payload, summary } => {
                let (payload, summary) = self.without_known(payload, summary);
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
        METRICS.updates_received.increment();
        // What the sender's copy says about hidden text it never read (it
        // holds those items as deleted) is not a deletion: left out.
        let unreadable = {
            let txn = self.doc.transact();
            secrecy::unreadable_deletes(&Cards::new(&txn), &self.places, identity, &summary.deletes)
        };
        let filtered;
        let (payload, summary) = match unreadable {
            None => (payload, summary),
            Some(kept) => {
                let rewritten = summary.rewrite(&payload, &vec![false; summary.items.len()], &kept);
                let Ok(parsed) = UpdateSummary::parse(&rewritten) else {
                    // Our own encoding of a valid update: never expected.
                    tracing::error!(
                        peer,
                        "could not read an update without its hidden deletions"
                    );
                    return;
                };
                tracing::debug!(peer, "left out deletions of hidden text");
                filtered = parsed;
                (Bytes::from(rewritten), &filtered)
            }
        };
        let verdict = match self.admission().verdict(identity, payload.len(), summary) {
            // A deletion since the last snapshot may have made room.
            Verdict::TooLarge => {
                self.log.refused_for_size();
                if self.compact_for_space() && self.admission().fits(payload.len()) {
                    self.admission().verdict_within_size(identity, summary)
                } else {
                    Verdict::Refused(Refusal::SizeLimit, SIZE_LIMIT_REASON)
                }
            }
            verdict => verdict,
        };
        let mut new_clients = match verdict {
            Verdict::Admitted { new_clients } => new_clients,
            Verdict::Ignored | Verdict::TooLarge => return,
            Verdict::MissingDependency(missing) => {
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
                let step1 = self.sync.step1(&self.doc);
                self.deliver_after_writes(Recipient::One(peer), step1);
                return;
            }
            Verdict::Refused(why, reason) => {
                METRICS.refused(why).increment();
                self.refuse_all(peer, summary, reason);
                return;
            }
        };
        let before = self.state.clone();
        let known = |client: u64| before.get(&ClientID::new(client));
        let places = self.places.resolve(summary);
        let private_before = self.private_kinds(&places);
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
                    let public = self.made_public(private_before);
                    let kept = vec![false; summary.items.len()];
                    if let Some(rescued) = self.rescue_lost_texts(summary, &places, &kept) {
                        let mut new_clients = new_clients;
                        new_clients.extend(self.unbound_server_client());
                        self.commit_publishing(
                            vec![payload.to_vec(), rescued],
                            new_clients,
                            public,
                        );
                        return;
                    }
                    let secrets = self.secrets_of(summary, &places);
                    self.commit_guarded(vec![(payload.to_vec(), secrets)], new_clients, public);
                }
            }
            return;
        }
        // Refused items stay as deleted content (their ids and neighbours
        // intact, so the sender's later edits still fit); refused deletions
        // are left out. What a refused item displaced the server writes
        // back; what a refused deletion removed on the sender's side it
        // restores (see `repair`).
        let mut deletes = verdict.allowed_deletes.clone();
        deletes.extend(repair::dropped_ranges(summary, &verdict.dropped));
        let mut priors: Vec<(Place, Prior)> = Vec::new();
        for (place, _) in places
            .iter()
            .zip(&verdict.dropped)
            .filter(|(_, dropped)| **dropped)
        {
            if let Some(prior) = repair::read_place(&self.doc, place) {
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
        let rescued = self.rescue_lost_texts(summary, &places, &verdict.dropped);
        if written.is_some() || restored.is_some() || rescued.is_some() {
            new_clients.extend(self.unbound_server_client());
        }
        updates.extend(written);
        updates.extend(restored);
        updates.extend(rescued);
        // One relayed update, so no screen shows the value gone and back.
        if updates.len() >= 2 {
            if let Ok(merged) = yrs::merge_updates_v1(updates.iter().map(Vec::as_slice)) {
                updates = vec![merged];
            }
        }
        let public = self.made_public(private_before);
        self.commit_publishing(updates, new_clients, public);
        if let Some(reason) = verdict.reason {
            tracing::debug!(peer, reason, "refused part of an update");
            METRICS.refused(Refusal::Ownership).increment();
            self.deny(peer, reason);
            self.revert(peer, summary, &verdict.dropped);
            self.count_refusal(peer);
        }
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
        if !newly_deleted.is_empty() {
            self.log.deleted();
        }
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
        self.commit_publishing(updates, new_clients, Vec::new());
    }

    /// [`Room::commit`], and the texts of the cards in `public` written
    /// anew (see [`Room::commit_guarded`]).
    fn commit_publishing(
        &mut self,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
        public: Vec<String>,
    ) {
        let updates = updates
            .into_iter()
            .map(|update| {
                let secrets = UpdateSummary::parse(&update).ok().and_then(|summary| {
                    let places = self.places.resolve(&summary);
                    self.secrets_of(&summary, &places)
                });
                (update, secrets)
            })
            .collect();
        self.commit_guarded(updates, new_clients, public);
    }

    /// [`Room::commit`] for updates whose hidden text is already known
    /// (`secrets_of`). The texts of the cards in `public` and, when the
    /// commit reveals the cards, of every card are written anew
    /// (`secrecy::republish`), relayed right after: a peer that holds them
    /// redacted cannot take their content otherwise.
    fn commit_guarded(
        &mut self,
        mut updates: Vec<(Vec<u8>, Option<Arc<Secrets>>)>,
        mut new_clients: Vec<(u64, String)>,
        mut public: Vec<String>,
    ) {
        if updates.is_empty() {
            return;
        }
        let revealed = BoardView::new(&self.doc.transact()).revealed();
        if revealed && !self.revealed {
            public = secrecy::texts_to_reveal(&self.doc.transact());
        } else if revealed {
            public.clear();
        }
        if let Some(update) = self.republish(&public) {
            new_clients.extend(self.unbound_server_client());
            updates.push((update, None));
        }
        self.revealed = revealed;
        for (client, owner) in &new_clients {
            self.client_owners.insert(*client, owner.clone());
        }
        self.sync.clear();
        self.delivery
            .stage_guarded(updates, new_clients, Instant::now());
    }

    /// What of an update just applied (its summary and its items' places)
    /// is hidden card text, if anything.
    fn secrets_of(&self, summary: &UpdateSummary, places: &[Place]) -> Option<Arc<Secrets>> {
        if self.revealed_now() {
            return None;
        }
        if !places
            .iter()
            .any(|place| secrecy::card_of_text(place).is_some())
        {
            return None;
        }
        let txn = self.doc.transact();
        Secrets::find(&mut Cards::new(&txn), summary.clone(), places).map(Arc::new)
    }

    /// Before an update (its items' places) is applied: the cards whose
    /// `kind` it writes that are hidden now.
    fn private_kinds(&self, places: &[Place]) -> Vec<String> {
        let keys = secrecy::kinds_written(places);
        if keys.is_empty() {
            return keys;
        }
        let txn = self.doc.transact();
        let cards = Cards::new(&txn);
        keys.into_iter().filter(|key| cards.hidden(key)).collect()
    }

    /// Of the cards that were hidden before the update (`private_kinds`),
    /// those whose text is public now though the cards are not revealed:
    /// a card turned into a challenge or solution.
    fn made_public(&self, private_before: Vec<String>) -> Vec<String> {
        if private_before.is_empty() {
            return private_before;
        }
        let txn = self.doc.transact();
        let cards = Cards::new(&txn);
        private_before
            .into_iter()
            .filter(|key| cards.hiding() && !cards.hidden(key))
            .collect()
    }

    fn revealed_now(&self) -> bool {
        BoardView::new(&self.doc.transact()).revealed()
    }

    /// Writes the texts of these cards anew as the server, so the peers
    /// that hold them redacted get them (see `secrecy`), and indexes them.
    fn republish(&mut self, keys: &[String]) -> Option<Vec<u8>> {
        let (update, deleted) = secrecy::republish(&self.doc, keys)?;
        if !deleted.is_empty() {
            self.log.deleted();
        }
        self.deleted.merge_with(deleted);
        self.state = self.doc.transact().state_vector();
        let summary = UpdateSummary::parse(&update).ok()?;
        let places = self.places.resolve(&summary);
        for (item, place) in summary.items.iter().zip(&places) {
            if let Place::Field { root, key, field } = place {
                if root.as_ref() == crate::board::CARDS && field.as_ref() == "text" {
                    self.republished
                        .insert(key.to_string(), (item.id, item.origin));
                }
            }
        }
        self.places.record(&summary, &places);
        Some(update)
    }

    /// After an update (its summary and places) was applied: the texts it
    /// wrote that lost to the server's rewrite of the same card (both built
    /// on the same item: an edit made offline while the cards were
    /// revealed), written again as the server, so the author's edit stays.
    /// Items marked in `dropped` (refused) are never written.
    fn rescue_lost_texts(
        &mut self,
        summary: &UpdateSummary,
        places: &[Place],
        dropped: &[bool],
    ) -> Option<Vec<u8>> {
        if self.republished.is_empty() {
            return None;
        }
        let deleted = &self.deleted;
        let is_deleted = |id: crate::protocol::update::Id| {
            deleted.contains(&ID::new(ClientID::new(id.client), id.clock))
        };
        let lost: Vec<(String, Option<String>)> = secrecy::texts_written(summary, places, dropped)
            .into_iter()
            .filter(|written| {
                self.republished
                    .get(&written.card)
                    .is_some_and(|(copy, replaced)| {
                        *replaced == written.built_on
                            && is_deleted(written.last)
                            && !is_deleted(*copy)
                    })
            })
            .map(|written| (written.card, Some(written.text)))
            .collect();
        let (update, deleted) = secrecy::write_texts(&self.doc, &lost)?;
        self.deleted.merge_with(deleted);
        self.state = self.doc.transact().state_vector();
        let summary = UpdateSummary::parse(&update).ok()?;
        self.places.record_update(&summary);
        Some(update)
    }

    /// The sync step 2 answering `identity`'s step 1: the whole answer for
    /// a moderator or while nothing is hidden, else as much as it may read.
    fn step2_for(&mut self, identity: &Identity, state_vector: &[u8]) -> Frame {
        let answer = self.sync.step2(&self.doc, state_vector);
        if matches!(identity, Identity::Moderator) || self.revealed_now() {
            return answer.frame;
        }
        let known = answer
            .full_state
            .then(|| self.sync.full_state_secrets())
            .flatten();
        let secrets = match known {
            Some(secrets) => secrets,
            None => {
                let secrets = match UpdateSummary::parse(&answer.update) {
                    Ok(summary) => {
                        let places = self.places.resolve(&summary);
                        let txn = self.doc.transact();
                        Secrets::find(&mut Cards::new(&txn), summary, &places).map(Arc::new)
                    }
                    Err(error) => {
                        // Our own encoding: never expected. Nothing goes out
                        // that might hold hidden text.
                        tracing::error!(%error, "could not read our own sync answer");
                        return Frame::binary(&Message::SyncStep2(&[0, 0]).encode());
                    }
                };
                if answer.full_state {
                    self.sync.set_full_state_secrets(secrets.clone());
                }
                secrets
            }
        };
        match secrets {
            None => answer.frame,
            Some(secrets) => {
                let class = secrets.class(identity);
                self.sync.redacted(&answer, &secrets, class)
            }
        }
    }

    /// Writes the staged updates in one transaction.
    fn write_staged(&mut self) {
        let (store, board) = (&self.store, &self.board);
        self.delivery
            .write_staged(|updates, new_clients| store.append_updates(board, updates, new_clients));
    }

    /// Writes back, as the server, values a refused edit displaced (if they
    /// changed; see `repair::write_back`) and indexes them. Returns the
    /// update to commit.
    fn write_back(&mut self, priors: &[(Place, Prior)]) -> Option<Vec<u8>> {
        let (update, deleted) = repair::write_back(&self.doc, priors)?;
        self.deleted.merge_with(deleted);
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
    /// everyone, see `repair::restore`), so the sender converges again.
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
    /// `repair::restore`) and indexes them. Returns the update to commit.
    fn restore_deleted(&mut self, deletes: &[DeleteRange]) -> Option<Vec<u8>> {
        if deletes.is_empty() {
            return None;
        }
        let update = repair::restore(&self.doc, deletes)?;
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
        let Some(update) = repair::revert(summary, dropped) else {
            return;
        };
        let frame = Frame::binary(&Message::Update(&update).encode());
        self.deliver_after_writes(Recipient::One(peer), frame);
    }

    /// Counts a refusal against the sender's identity (not its connection:
    /// reconnecting does not start over) and closes the sender once the
    /// identity has too many.
    fn count_refusal(&mut self, peer: PeerId) {
        let Some(identity) = self.peers.identity(peer) else {
            return;
        };
        let owner = identity.owner_key();
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
        let now = Instant::now();
        // Presence is ephemeral: over the connection's rate or the board's
        // it is dropped, and the sender is told so now and then.
        // Counted as relayed: the states plus each entry's ids and clock.
        let bytes = entries.iter().map(|entry| entry.state.len() + 24).sum();
        match self.peers.take_awareness(peer, bytes, now) {
            None => return,
            Some(AwarenessRate::Over { notify }) => {
                tracing::debug!(peer, "awareness over the rate, dropped");
                if notify {
                    self.deny(peer, AWARENESS_RATE_NOTICE);
                }
                return;
            }
            Some(AwarenessRate::Within) => {}
        }
        if let Some(changed) = self.awareness.apply(peer, identity, &entries, now) {
            self.broadcast_now(awareness_frame(&changed));
        }
    }

    fn on_write_done(&mut self, result: WriteResult, kind: Option<WriteKind>) -> Flow {
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
            Some(WriteKind::Append { bytes, count }) => self.log.appended(sequence, bytes, count),
            Some(WriteKind::Compact) => METRICS.compactions.increment(),
            None => {}
        }
        self.flush_deliveries();
        // Not while a reload is pending: the document may then hold part of
        // an update that could not be integrated, which a snapshot would
        // make permanent.
        if self.log.due(self.settings.compact_after_updates)
            && !self.delivery.writing()
            && !self.delivery.has_staged()
            && !self.needs_reload
        {
            self.compact();
        } else {
            self.compact_for_space();
        }
        Flow::Continue
    }

    /// An update cut down to what the document does not have yet, when it
    /// repeats some of it. yrs would skip the known part anyway, but the
    /// raw bytes would be stored and relayed: a client that still holds
    /// erased text (a stale phone, a modified client sending its whole
    /// state) must not bring it back into the log or to other screens.
    /// Stock clients send only what is new, so this is rare.
    fn without_known(&self, payload: Bytes, summary: UpdateSummary) -> (Bytes, UpdateSummary) {
        let repeats = summary
            .clients
            .iter()
            .any(|range| range.start < self.state.get(&ClientID::new(range.client)));
        if !repeats {
            return (payload, summary);
        }
        let trimmed = yrs::diff_updates_v1(&payload, &self.state.encode_v1())
            .ok()
            .and_then(|update| Some((UpdateSummary::parse(&update).ok()?, update)));
        match trimmed {
            Some((summary, update)) => (Bytes::from(update), summary),
            // Cannot happen for an update the parser accepted; the
            // update then goes on as it came.
            None => (payload, summary),
        }
    }

    /// Erases `participant` (see [`RoomCommand::Erase`]): their
    /// connections close, the document loses everything of theirs in one
    /// transaction of the server, which is written and relayed, and the
    /// store's history is then replaced by a snapshot of the collected
    /// document (the log rows through it deleted, not appended to).
    async fn erase(
        &mut self,
        participant: &str,
        authored: Authored,
    ) -> Result<Erased, ErasureFailed> {
        let identity = Identity::Participant(participant.to_owned());
        for peer in self.peers.of_identity(&identity) {
            self.drop_peer(peer, CloseReason::ERASED);
        }
        // Everything before this command is written first, so the
        // snapshot below covers all of it.
        self.write_staged();
        self.settle().await?;
        if self.needs_reload {
            self.load().await.map_err(|_| ErasureFailed::Store)?;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |elapsed| elapsed.as_millis() as f64);
        let (erased, update, deleted) = {
            let mut txn = self.doc.transact_mut();
            let erased = erasure::erase_participant(&mut txn, participant, authored, now);
            let deleted = txn.delete_set().clone();
            (erased, txn.encode_update_v1(), deleted)
        };
        self.deleted.merge_with(deleted);
        self.state = self.doc.transact().state_vector();
        if let Ok(summary) = UpdateSummary::parse(&update) {
            self.places.record_update(&summary);
        }
        let new_clients = self.unbound_server_client().into_iter().collect();
        self.commit(vec![update], new_clients);
        self.write_staged();
        self.settle().await?;
        // Garbage collection dropped the erased content from the document
        // at commit; the snapshot is written from it and replaces every
        // log row, the erasure's own included.
        self.compact();
        self.settle().await?;
        self.sync.clear();
        tracing::info!(
            cards_erased = erased.cards_erased,
            cards_kept = erased.cards_kept,
            "participant erased"
        );
        Ok(erased)
    }

    /// Waits until every write in flight is done (and what they released
    /// is sent). Fails if one failed: the room has then closed its
    /// connections and stops.
    async fn settle(&mut self) -> Result<(), ErasureFailed> {
        while let Some((result, kind)) = self.delivery.next_write().await {
            if let Flow::Stop = self.on_write_done(result, kind) {
                return Err(ErasureFailed::Store);
            }
        }
        Ok(())
    }

    /// What decides whether an update may enter (see `admission`).
    fn admission(&self) -> Admission<'_> {
        Admission {
            state: &self.state,
            deleted: &self.deleted,
            client_owners: &self.client_owners,
            stored_bytes: self.log.stored_bytes(),
            max_document_bytes: self.settings.max_document_bytes,
        }
    }

    /// On a full board where something was deleted since the last
    /// snapshot: compacts now, so the deleted content stops counting.
    /// True if it did (the stored size is then the new snapshot's).
    fn compact_for_space(&mut self) -> bool {
        let due = !self.needs_reload
            && !self.delivery.writing()
            && !self.delivery.has_staged()
            && self.log.due_for_space(Instant::now());
        if due {
            tracing::debug!("compacting a full board to free space");
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
        let through_sequence = self.log.compacted(snapshot.len());
        let issued = Instant::now();
        let write = self.store.compact(&self.board, snapshot, through_sequence);
        self.delivery.issue(write, WriteKind::Compact, issued);
    }

    async fn on_tick(&mut self) -> Flow {
        let now = Instant::now();
        if let Some(removal) = self.awareness.expire(now, self.settings.awareness_timeout) {
            METRICS.awareness_expiries.increment();
            self.broadcast_now(awareness_frame(&removal));
        }
        // A compaction for space that was held back by writes in flight or
        // by the interval.
        self.compact_for_space();
        match self.peers.idle_since() {
            Some(since)
                if now.duration_since(since) >= self.settings.idle_room
                    && self.peers.is_empty() =>
            {
                METRICS.idle_room_evictions.increment();
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
        while let Some((result, kind)) = self.delivery.next_write().await {
            if let Flow::Stop = self.on_write_done(result, kind) {
                return;
            }
        }
        if self.log.has_updates() && !self.needs_reload {
            self.compact();
            while let Some((result, kind)) = self.delivery.next_write().await {
                self.on_write_done(result, kind);
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

    /// Queues a frame that reflects the document behind the writes issued
    /// so far; sends it at once when none is in flight.
    fn deliver_after_writes(&mut self, recipient: Recipient, frame: Frame) {
        if let Some((recipient, frame)) = self.delivery.after_writes(recipient, frame) {
            self.deliver(recipient, frame);
        }
    }

    /// Sends what the writes just done released, in order.
    fn flush_deliveries(&mut self) {
        for (recipient, frame) in self.delivery.release() {
            // Only relays of committed updates go to everyone from here.
            if let Recipient::All | Recipient::Readers(_) = recipient {
                METRICS.updates_relayed.add(self.peers.len() as u64);
            }
            self.deliver(recipient, frame);
        }
    }

    fn deliver(&mut self, recipient: Recipient, frame: Frame) {
        match recipient {
            Recipient::All => self.broadcast_now(frame),
            Recipient::One(peer) => self.send(peer, frame),
            Recipient::Readers(guarded) => {
                // One encoding per class of peer (the moderators, each
                // group, the others), not per peer.
                let mut frames: HashMap<Class, Vec<Frame>> = HashMap::new();
                for (peer, identity) in self.peers.identities() {
                    let class = guarded.class(&identity);
                    if class.iter().all(|reads| *reads) {
                        self.send(peer, frame.clone());
                        continue;
                    }
                    let redacted = frames
                        .entry(class)
                        .or_insert_with_key(|class| guarded.frames(class))
                        .clone();
                    for frame in redacted {
                        self.send(peer, frame);
                    }
                }
            }
        }
    }

    fn broadcast_now(&mut self, frame: Frame) {
        for peer in self.peers.broadcast(&frame) {
            self.drop_peer(peer, CloseReason::TOO_SLOW);
        }
    }

    fn send(&mut self, peer: PeerId, frame: Frame) {
        if !self.peers.send(peer, &frame) {
            self.drop_peer(peer, CloseReason::TOO_SLOW);
        }
    }

    /// Closes a peer that cannot take more frames (it resyncs when it
    /// reconnects) or is otherwise done.
    fn drop_peer(&mut self, peer: PeerId, reason: CloseReason) {
        self.peers.close(peer, reason);
        self.leave(peer);
    }

    fn close_all(&mut self, reason: CloseReason) {
        self.peers.close_all(reason);
    }
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
            RoomCommand::Shutdown { done, .. } => {
                let _ = done.send(());
            }
            RoomCommand::Disconnect { done, .. } => {
                let _ = done.send(());
            }
            RoomCommand::Inbound { .. }
            | RoomCommand::Leave { .. }
            | RoomCommand::DocumentState { .. } => {}
            RoomCommand::Erase { reply, .. } => {
                let _ = reply.send(Err(ErasureFailed::Closing));
            }
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
