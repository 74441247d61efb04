//! Durability before relay: staged writes, and the ordered queue of what
//! the room sends once they are committed.
//!
//! An accepted update is applied, staged, handed to the store, and relayed
//! only once the store reports it committed. Everything sent that reflects
//! the document (relays, sync step 2 answers, the room's own sync step 1)
//! waits in one queue behind the writes issued before it, so no peer ever
//! sees state a crash could lose. Nothing here touches a peer: the room
//! sends what [`Delivery`] releases, in the order released.

use super::PeerId;
use super::secrecy::{Class, Secrets};
use crate::auth::Identity;
use crate::metrics::METRICS;
use crate::protocol::Message;
use crate::socket::Frame;
use crate::store::{PendingWrite, StoreError};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Deliveries waiting for writes before the room stops reading its inbox.
const MAX_QUEUED_DELIVERIES: usize = 8192;

/// Most updates staged before they are written anyway.
const MAX_STAGED: usize = 256;

/// A room with this many peers (a plenary where everyone types) holds what
/// it staged for up to [`COALESCE_WINDOW`] even when its inbox is empty:
/// each relay costs one frame per peer there, and updates that arrive
/// within the window go out as one. Smaller rooms write at once.
const COALESCE_PEERS: usize = 100;
const COALESCE_WINDOW: Duration = Duration::from_millis(8);

pub(super) enum Recipient {
    All,
    One(PeerId),
    /// Everyone, each peer the relay as it may read it: the frame as it is
    /// to those who may read all of it, redacted for the others.
    Readers(Guarded),
}

/// Relays released together of which some hold hidden card text
/// (`secrecy`). The frame they come with is for those who may read all.
pub(super) struct Guarded {
    relays: Vec<(Bytes, Option<Arc<Secrets>>)>,
}

impl Guarded {
    /// Which of the relays' audiences admit `identity`, all relays' in a row.
    pub fn class(&self, identity: &Identity) -> Class {
        self.relays
            .iter()
            .filter_map(|(_, secrets)| secrets.as_ref())
            .flat_map(|secrets| secrets.class(identity))
            .collect()
    }

    /// The frames for a peer of `class` (as [`Guarded::class`] made it):
    /// the relays, each redacted as that class may read it, merged.
    pub fn frames(&self, class: &[bool]) -> Vec<Frame> {
        let mut rest = class;
        let updates: Vec<Bytes> = self
            .relays
            .iter()
            .map(|(update, secrets)| {
                let Some(secrets) = secrets else {
                    return update.clone();
                };
                let width = secrets.audiences();
                let (own, later) = rest.split_at(width.min(rest.len()));
                rest = later;
                secrets
                    .redact(update, own)
                    .map_or_else(|| update.clone(), Bytes::from)
            })
            .collect();
        merged_frames(&updates)
    }
}

struct Queued {
    /// Index of the write this delivery waits for (writes complete in order).
    after_write: u64,
    /// When it was queued: a relay's fan-out latency starts here.
    queued_at: Instant,
    recipient: Recipient,
    payload: Payload,
}

enum Payload {
    /// A ready frame.
    Frame(Frame),
    /// A document update to relay, with what of it is hidden. Relays that
    /// become ready together are merged into one update (one frame per
    /// receiver instead of many).
    Update(Bytes, Option<Arc<Secrets>>),
}

impl Payload {
    fn into_frame(self) -> Frame {
        match self {
            Payload::Frame(frame) => frame,
            Payload::Update(update, _) => Frame::binary(&Message::Update(&update).encode()),
        }
    }
}

/// What the write at a queue position was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WriteKind {
    Append { bytes: u64, count: u64 },
    Compact,
}

/// The store's answer to one write.
pub(super) type WriteResult = Result<Result<u64, StoreError>, oneshot::error::RecvError>;

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

/// The staged updates, the writes in flight and what waits for them.
#[derive(Default)]
pub(super) struct Delivery {
    queue: VecDeque<Queued>,
    writes: FuturesOrdered<PendingWrite>,
    /// What each write in flight is for, and when it was issued (for the
    /// commit latency).
    write_kinds: VecDeque<(WriteKind, Instant)>,
    /// Writes issued so far, counting the one the staged updates will go
    /// out in.
    writes_issued: u64,
    writes_done: u64,
    staged: Staged,
}

impl Delivery {
    /// So many deliveries wait that the room stops reading its inbox.
    pub fn backlogged(&self) -> bool {
        self.queue.len() >= MAX_QUEUED_DELIVERIES
    }

    /// Whether a write is in flight.
    pub fn writing(&self) -> bool {
        !self.writes.is_empty()
    }

    pub fn has_staged(&self) -> bool {
        !self.staged.updates.is_empty()
    }

    /// So many updates are staged that they are written now.
    pub fn staged_full(&self) -> bool {
        self.staged.updates.len() >= MAX_STAGED
    }

    /// Until when a room of `peers` holds what it staged, to merge what
    /// arrives meanwhile; `None` when it writes at once.
    pub fn coalesce_until(&self, peers: usize, now: Instant) -> Option<Instant> {
        self.staged
            .since
            .filter(|_| peers >= COALESCE_PEERS)
            .map(|since| since + COALESCE_WINDOW)
            .filter(|until| *until > now)
    }

    /// Queues a frame that reflects the document behind the writes issued
    /// so far. Returns it if it may go out at once (no write in flight and
    /// nothing queued before it).
    pub fn after_writes(
        &mut self,
        recipient: Recipient,
        frame: Frame,
    ) -> Option<(Recipient, Frame)> {
        let queued = Queued {
            after_write: self.writes_issued,
            queued_at: Instant::now(),
            recipient,
            payload: Payload::Frame(frame),
        };
        if self.queue.is_empty() && self.writes_done >= queued.after_write {
            return Some((queued.recipient, queued.payload.into_frame()));
        }
        self.queue.push_back(queued);
        None
    }

    /// Stages updates already applied to the document (with the client ids
    /// they introduce) for the next write, and queues each to be relayed to
    /// everyone once that write is committed.
    #[cfg(test)]
    pub fn stage(&mut self, updates: Vec<Vec<u8>>, new_clients: Vec<(u64, String)>, now: Instant) {
        let updates = updates.into_iter().map(|update| (update, None)).collect();
        self.stage_guarded(updates, new_clients, now);
    }

    /// [`Delivery::stage`] for updates that may hold hidden text: each is
    /// relayed as its [`Secrets`] allow.
    pub fn stage_guarded(
        &mut self,
        updates: Vec<(Vec<u8>, Option<Arc<Secrets>>)>,
        new_clients: Vec<(u64, String)>,
        now: Instant,
    ) {
        if updates.is_empty() {
            return;
        }
        if self.staged.updates.is_empty() {
            // The write these updates will go out in: relays queued from
            // now on wait for it.
            self.writes_issued += 1;
            self.staged.since = Some(now);
        }
        self.staged.new_clients.extend(new_clients);
        for (update, secrets) in updates {
            self.staged.bytes += update.len() as u64;
            let relay = Bytes::from(update.clone());
            self.staged.updates.push(update);
            // Never ready at once: the staged write is not even issued.
            self.queue.push_back(Queued {
                after_write: self.writes_issued,
                queued_at: now,
                recipient: Recipient::All,
                payload: Payload::Update(relay, secrets),
            });
        }
    }

    /// Writes the staged updates in one transaction through `append` (the
    /// write `stage` already counted as issued).
    pub fn write_staged(
        &mut self,
        append: impl FnOnce(Vec<Vec<u8>>, Vec<(u64, String)>) -> PendingWrite,
    ) {
        if self.staged.updates.is_empty() {
            return;
        }
        let staged = std::mem::take(&mut self.staged);
        let count = staged.updates.len() as u64;
        // Before the call: with `synchronous=normal` it commits inline.
        let issued = Instant::now();
        self.writes
            .push_back(append(staged.updates, staged.new_clients));
        self.write_kinds.push_back((
            WriteKind::Append {
                bytes: staged.bytes,
                count,
            },
            issued,
        ));
    }

    /// Issues a write of the room's own (a compaction): what is queued from
    /// now on waits for it too.
    pub fn issue(&mut self, write: PendingWrite, kind: WriteKind, issued: Instant) {
        self.writes.push_back(write);
        self.write_kinds.push_back((kind, issued));
        self.writes_issued += 1;
    }

    /// The next write to complete, in the order issued, and what it was
    /// for. Cancel-safe: nothing is taken until a write is done.
    pub async fn next_write(&mut self) -> Option<(WriteResult, Option<WriteKind>)> {
        let result = self.writes.next().await?;
        self.writes_done += 1;
        let kind = self.write_kinds.pop_front().map(|(kind, issued)| {
            METRICS.store_commit.observe(issued.elapsed());
            kind
        });
        Some((result, kind))
    }

    /// Takes every delivery whose writes are done, in order. Relays that
    /// follow each other are merged into one update.
    pub fn release(&mut self) -> Vec<(Recipient, Frame)> {
        let mut released = Vec::new();
        let mut relays = Vec::new();
        while self
            .queue
            .front()
            .is_some_and(|queued| queued.after_write <= self.writes_done)
        {
            let Some(queued) = self.queue.pop_front() else {
                break;
            };
            match (queued.recipient, queued.payload) {
                (Recipient::All, Payload::Update(update, secrets)) => {
                    METRICS.fan_out.observe(queued.queued_at.elapsed());
                    relays.push((update, secrets));
                }
                (recipient, payload) => {
                    relay(std::mem::take(&mut relays), &mut released);
                    released.push((recipient, payload.into_frame()));
                }
            }
        }
        relay(relays, &mut released);
        released
    }
}

/// Broadcasts updates that became durable together, merged into one. The
/// common case (nothing hidden) is one frame for everyone; relays with
/// hidden text go to each peer as it may read them.
fn relay(relays: Vec<(Bytes, Option<Arc<Secrets>>)>, released: &mut Vec<(Recipient, Frame)>) {
    if relays.is_empty() {
        return;
    }
    let updates: Vec<Bytes> = relays.iter().map(|(update, _)| update.clone()).collect();
    let frames = merged_frames(&updates);
    if relays.iter().all(|(_, secrets)| secrets.is_none()) {
        released.extend(frames.into_iter().map(|frame| (Recipient::All, frame)));
        return;
    }
    // Merged as one (the usual case), the frame goes with the relays; else
    // one at a time, each with its own.
    if let [frame] = frames.as_slice() {
        released.push((Recipient::Readers(Guarded { relays }), frame.clone()));
    } else {
        for (update, secrets) in relays {
            let frame = Frame::binary(&Message::Update(&update).encode());
            let recipient = match secrets {
                Some(secrets) => Recipient::Readers(Guarded {
                    relays: vec![(update, Some(secrets))],
                }),
                None => Recipient::All,
            };
            released.push((recipient, frame));
        }
    }
}

/// Updates as frames: one merged update, or one frame each if they do
/// not merge.
fn merged_frames(updates: &[Bytes]) -> Vec<Frame> {
    let merged = match updates.len() {
        0 => return Vec::new(),
        1 => None,
        _ => yrs::merge_updates_v1(updates.iter().map(Bytes::as_ref)).ok(),
    };
    match merged {
        Some(update) => vec![Frame::binary(&Message::Update(&update).encode())],
        None => updates
            .iter()
            .map(|update| Frame::binary(&Message::Update(update).encode()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Delivery, Recipient, WriteKind};
    use crate::protocol::Message;
    use crate::socket::Frame;
    use std::time::{Duration, Instant};
    use tokio::sync::oneshot;
    use yrs::{Doc, Map, ReadTxn, StateVector, Transact};

    /// An update that writes one card from its own client.
    fn card_update(client: u64, key: &str) -> Vec<u8> {
        let doc = Doc::with_client_id(client);
        doc.get_or_insert_map("cards")
            .insert(&mut doc.transact_mut(), key, "text");
        doc.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    fn frame(n: u8) -> Frame {
        Frame::binary(&[n])
    }

    fn shape(released: &[(Recipient, Frame)]) -> Vec<(Option<u64>, Frame)> {
        released
            .iter()
            .map(|(recipient, frame)| match recipient {
                Recipient::All | Recipient::Readers(_) => (None, frame.clone()),
                Recipient::One(peer) => (Some(*peer), frame.clone()),
            })
            .collect()
    }

    /// Writes what is staged; the sender completes the write.
    fn write(delivery: &mut Delivery) -> oneshot::Sender<Result<u64, crate::store::StoreError>> {
        let (done, write) = oneshot::channel();
        delivery.write_staged(|_, _| write);
        done
    }

    #[test]
    fn a_frame_with_nothing_to_wait_for_goes_out_at_once() {
        let mut delivery = Delivery::default();
        let ready = delivery.after_writes(Recipient::One(3), frame(1));
        assert_eq!(shape(ready.as_slice()), vec![(Some(3), frame(1))]);
        assert!(delivery.release().is_empty());
    }

    #[tokio::test]
    async fn nothing_is_relayed_before_its_write_and_the_order_holds() {
        let mut delivery = Delivery::default();
        let now = Instant::now();
        let (a, b) = (card_update(1, "a"), card_update(2, "b"));
        delivery.stage(vec![a.clone()], vec![(1, "alice".into())], now);
        // An answer computed now reflects the staged update: it waits.
        assert!(delivery.after_writes(Recipient::One(7), frame(9)).is_none());
        delivery.stage(vec![b.clone()], Vec::new(), now);
        assert!(delivery.has_staged());
        assert!(delivery.release().is_empty(), "nothing before the write");

        let done = write(&mut delivery);
        assert!(!delivery.has_staged() && delivery.writing());
        assert!(delivery.release().is_empty(), "nothing before the commit");
        done.send(Ok(12)).expect("the write waits");
        let (result, kind) = delivery.next_write().await.expect("a write");
        assert_eq!(result.ok().and_then(Result::ok), Some(12));
        assert_eq!(
            kind,
            Some(WriteKind::Append {
                bytes: (a.len() + b.len()) as u64,
                count: 2
            })
        );
        let relay = |update: &[u8]| Frame::binary(&Message::Update(update).encode());
        assert_eq!(
            shape(&delivery.release()),
            vec![(None, relay(&a)), (Some(7), frame(9)), (None, relay(&b)),],
            "the answer stays between the relays it was queued between"
        );
        assert!(!delivery.writing());
    }

    #[tokio::test]
    async fn relays_committed_together_go_out_as_one_merged_update() {
        let mut delivery = Delivery::default();
        let updates = vec![card_update(1, "a"), card_update(2, "b")];
        delivery.stage(updates.clone(), Vec::new(), Instant::now());
        write(&mut delivery).send(Ok(1)).expect("the write waits");
        let (result, _) = delivery.next_write().await.expect("a write");
        assert_eq!(result.ok().and_then(Result::ok), Some(1));
        let merged = yrs::merge_updates_v1(updates.iter().map(Vec::as_slice)).expect("merges");
        assert_eq!(
            shape(&delivery.release()),
            vec![(None, Frame::binary(&Message::Update(&merged).encode()))]
        );
    }

    #[tokio::test]
    async fn a_compaction_holds_back_what_is_queued_after_it() {
        let mut delivery = Delivery::default();
        let (done, write) = oneshot::channel();
        delivery.issue(write, WriteKind::Compact, Instant::now());
        assert!(delivery.after_writes(Recipient::All, frame(4)).is_none());
        drop(done);
        let (result, kind) = delivery.next_write().await.expect("a write");
        assert!(result.is_err(), "the writer went away");
        assert_eq!(kind, Some(WriteKind::Compact));
        assert_eq!(shape(&delivery.release()), vec![(None, frame(4))]);
    }

    #[test]
    fn only_a_large_room_holds_what_it_staged() {
        let mut delivery = Delivery::default();
        let now = Instant::now();
        assert_eq!(delivery.coalesce_until(500, now), None);
        delivery.stage(vec![card_update(1, "a")], Vec::new(), now);
        assert_eq!(delivery.coalesce_until(99, now), None);
        assert_eq!(
            delivery.coalesce_until(100, now),
            Some(now + Duration::from_millis(8))
        );
        assert_eq!(
            delivery.coalesce_until(100, now + Duration::from_millis(8)),
            None
        );
    }
}
