//! One simulated client: a websocket, a yrs document with the client's own
//! card, a send schedule, and the bookkeeping of what arrived from whom.
//!
//! Each client's yrs client id is [`CLIENT_ID_BASE`] plus its global index,
//! so any receiver can tell who wrote a clock range. Every update is one
//! map write (`cards[own card].text = payload`), i.e. exactly one clock of
//! its sender: a receiver counts deliveries by clock ranges, which also
//! counts every update inside a frame where a server merged several.

use crate::clock::now_ns;
use crate::wire::{Access, Flavor, Framing, Incoming};
use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use kartenwand::protocol::Message;
use kartenwand::protocol::update::{UpdateSummary, Value};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior, timeout, timeout_at};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};
use yrs::{Doc, Map, MapPrelim, MapRef, ReadTxn, StateVector, Transact};

/// yrs client id of the client with global index 0.
pub const CLIENT_ID_BASE: u64 = 1 << 40;

/// How long connecting plus the sync handshake may take.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open connection to a room.
pub struct Session {
    socket: Socket,
    framing: Framing,
    flavor: Flavor,
}

impl Session {
    /// Connects (4 KiB read buffer, no Nagle) and, for Hocuspocus, sends
    /// the auth token message.
    pub async fn open(flavor: Flavor, access: &Access) -> anyhow::Result<Self> {
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (socket, _) = connect_async_with_config(access.url.as_str(), Some(config), true)
            .await
            .with_context(|| format!("cannot connect to {}", redact(&access.url)))?;
        let mut session = Session {
            socket,
            framing: Framing::new(flavor, access),
            flavor,
        };
        if let Some(auth) = session.framing.auth() {
            session.send_frame(auth).await?;
        }
        Ok(session)
    }

    pub async fn send(&mut self, message: &Message<'_>) -> anyhow::Result<()> {
        let frame = self.framing.encode(message);
        self.send_frame(frame).await
    }

    async fn send_frame(&mut self, frame: Vec<u8>) -> anyhow::Result<()> {
        self.socket
            .send(tungstenite::Message::Binary(Bytes::from(frame)))
            .await
            .context("send failed")
    }

    /// The next binary frame; `None` when the connection ended.
    pub async fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            match self.socket.next().await? {
                Ok(tungstenite::Message::Binary(frame)) => return Some(frame),
                Ok(tungstenite::Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The y-websocket handshake: send our step 1, answer the server's step
    /// 1 with our state, and return once the server's step 2 arrived. Every
    /// update payload received on the way goes to `on_update`.
    pub async fn sync(
        &mut self,
        doc: &Doc,
        mut on_update: impl FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        if !self.flavor.syncs() {
            return Ok(());
        }
        let state_vector = doc.transact().state_vector().encode_v1_bytes();
        self.send(&Message::SyncStep1(&state_vector)).await?;
        let mut synced = false;
        while !synced {
            let frame = self
                .next_frame()
                .await
                .context("the server closed during the sync")?;
            match self.framing.decode(&frame).context("undecodable frame")? {
                Incoming::SyncStep1 => {
                    let state = doc
                        .transact()
                        .encode_state_as_update_v1(&StateVector::default());
                    self.send(&Message::SyncStep2(&state)).await?;
                }
                Incoming::SyncStep2(update) => {
                    on_update(update);
                    synced = true;
                }
                Incoming::Update(update) => on_update(update),
                Incoming::Other => {}
            }
        }
        Ok(())
    }

    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    pub async fn close(mut self) {
        let _ = timeout(Duration::from_secs(1), self.socket.close(None)).await;
    }
}

trait EncodeV1 {
    fn encode_v1_bytes(&self) -> Vec<u8>;
}

impl EncodeV1 for StateVector {
    fn encode_v1_bytes(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.encode_v1()
    }
}

/// Tokens must not end up in logs.
fn redact(url: &str) -> &str {
    url.split_once("?token=").map_or(url, |(base, _)| base)
}

/// Where a load run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Setup,
    /// Warm-up: sending, not measured.
    Sending,
    /// Sending; these updates are measured.
    Measuring,
    /// No more sending; deliveries still count.
    Draining,
    Stop,
}

/// What all clients of one load run share: what was sent when, and how
/// much arrived.
pub struct Ledger {
    pub clients_per_room: usize,
    /// Per client: the clock of its first measured update (`u32::MAX`
    /// before it sent one).
    first_measured: Vec<AtomicU32>,
    /// Per client: measured updates sent.
    sent: Vec<AtomicU32>,
    /// Per client: send time of its n-th measured update, for clocks whose
    /// content a server dropped when it merged updates (the payload carries
    /// the same time).
    sent_at: Vec<Box<[AtomicU64]>>,
    /// Per room: clients that are in and receiving.
    pub present: Vec<AtomicUsize>,
    pub delivered: AtomicU64,
    /// Senders each receiver has heard from at all (their cards arrived):
    /// the run waits for all of them, so the burst of card creations is
    /// not inside the measurement.
    pub acquainted: AtomicU64,
    /// Frames received by all clients, to tell when traffic went quiet.
    pub frames: AtomicU64,
    pub duplicates: AtomicU64,
    pub undecodable: AtomicU64,
    /// Deliveries without a known send time (not in the latencies).
    pub untimed: AtomicU64,
}

impl Ledger {
    pub fn new(rooms: usize, clients_per_room: usize, updates_per_client: usize) -> Self {
        let total = rooms * clients_per_room;
        Ledger {
            clients_per_room,
            first_measured: (0..total).map(|_| AtomicU32::new(u32::MAX)).collect(),
            sent: (0..total).map(|_| AtomicU32::new(0)).collect(),
            sent_at: (0..total)
                .map(|_| (0..updates_per_client).map(|_| AtomicU64::new(0)).collect())
                .collect(),
            present: (0..rooms).map(|_| AtomicUsize::new(0)).collect(),
            delivered: AtomicU64::new(0),
            acquainted: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            undecodable: AtomicU64::new(0),
            untimed: AtomicU64::new(0),
        }
    }

    /// Receiver–sender pairs among the clients present.
    pub fn pairs(&self) -> u64 {
        self.present
            .iter()
            .map(|present| {
                let present = present.load(Ordering::Acquire) as u64;
                present * present.saturating_sub(1)
            })
            .sum()
    }

    pub fn sent_total(&self) -> u64 {
        self.sent
            .iter()
            .map(|sent| u64::from(sent.load(Ordering::Acquire)))
            .sum()
    }

    /// Deliveries owed: every measured update to every other client present
    /// in its room.
    pub fn expected(&self) -> u64 {
        self.sent
            .iter()
            .enumerate()
            .map(|(client, sent)| {
                let present = self.present[client / self.clients_per_room].load(Ordering::Acquire);
                u64::from(sent.load(Ordering::Acquire)) * present.saturating_sub(1) as u64
            })
            .sum()
    }
}

/// A client of a load run.
pub struct LoadClient {
    global: usize,
    room: usize,
    doc: Doc,
    card: MapRef,
    session: Session,
    /// Per client of the room: the next clock expected from it.
    next_clock: Vec<u32>,
    pub latencies_us: Vec<u32>,
}

/// How a client's run ended.
pub struct ClientOutcome {
    pub latencies_us: Vec<u32>,
    pub disconnected: bool,
}

impl LoadClient {
    /// Connects, syncs and writes the client's card (not measured).
    pub async fn join(
        flavor: Flavor,
        access: &Access,
        global: usize,
        ledger: &Ledger,
        run_id: &str,
    ) -> anyhow::Result<Self> {
        let work = async {
            let doc = Doc::with_client_id(CLIENT_ID_BASE + global as u64);
            let mut session = Session::open(flavor, access).await?;
            // The cards of those already in arrive with the sync.
            let mut received = Vec::new();
            session
                .sync(&doc, |update| received.push(update.to_vec()))
                .await?;
            let cards = doc.get_or_insert_map("cards");
            let card_id = format!("bench{global:06}x{run_id}");
            let (card, update) = {
                let mut txn = doc.transact_mut();
                let card = cards.insert(
                    &mut txn,
                    card_id,
                    MapPrelim::from([
                        ("text", yrs::Any::from("Karte")),
                        ("kind", yrs::Any::from("need")),
                        ("author", yrs::Any::from(access.author.as_str())),
                        ("createdAt", yrs::Any::from(1_741_079_000_000.0)),
                    ]),
                );
                (card, txn.encode_update_v1())
            };
            session.send(&Message::Update(&update)).await?;
            anyhow::Ok((doc, card, session, received))
        };
        let (doc, card, session, received) = timeout(JOIN_TIMEOUT, work)
            .await
            .context("join timed out")??;
        let mut client = LoadClient {
            global,
            room: global / ledger.clients_per_room,
            doc,
            card,
            session,
            next_clock: vec![0; ledger.clients_per_room],
            latencies_us: Vec::new(),
        };
        for update in &received {
            client.record(ledger, update);
        }
        Ok(client)
    }

    /// Sends at `rate` (random phase) while the run is sending, records
    /// what arrives, and returns when the phase becomes `Stop`.
    pub async fn run(
        mut self,
        ledger: &Ledger,
        mut phase: watch::Receiver<Phase>,
        rate: f64,
        payload: usize,
    ) -> ClientOutcome {
        ledger.present[self.room].fetch_add(1, Ordering::AcqRel);
        let period = Duration::from_secs_f64(1.0 / rate);
        let offset = period.mul_f64(rand::random::<f64>());
        let mut ticker = tokio::time::interval_at(Instant::now() + offset, period);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut disconnected = false;
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    let current = *phase.borrow();
                    if matches!(current, Phase::Sending | Phase::Measuring)
                        && self.send_update(ledger, current == Phase::Measuring, payload).await.is_err()
                    {
                        disconnected = true;
                        break;
                    }
                }
                frame = self.session.next_frame() => match frame {
                    Some(frame) => self.receive(ledger, &frame),
                    None => { disconnected = true; break; }
                },
                changed = phase.changed() => {
                    if changed.is_err() || *phase.borrow() == Phase::Stop {
                        break;
                    }
                }
            }
        }
        ledger.present[self.room].fetch_sub(1, Ordering::AcqRel);
        if !disconnected {
            self.session.close().await;
        } else {
            // Wait for the end of the run so `present` stays right for the
            // others' bookkeeping.
            while phase.changed().await.is_ok() && *phase.borrow() != Phase::Stop {}
        }
        ClientOutcome {
            latencies_us: self.latencies_us,
            disconnected,
        }
    }

    async fn send_update(
        &mut self,
        ledger: &Ledger,
        measured: bool,
        payload: usize,
    ) -> anyhow::Result<()> {
        let client_id = self.doc.client_id();
        let clock = self.doc.transact().state_vector().get(&client_id);
        let sent_at = now_ns();
        let mut text = format!("kwb:{}:{clock}:{sent_at}:", self.global);
        while text.len() < payload {
            text.push('x');
        }
        let update = {
            let mut txn = self.doc.transact_mut();
            self.card.insert(&mut txn, "text", text);
            txn.encode_update_v1()
        };
        if measured {
            let first = &ledger.first_measured[self.global];
            if first.load(Ordering::Acquire) == u32::MAX {
                first.store(clock, Ordering::Release);
            }
            let index = ledger.sent[self.global].load(Ordering::Acquire) as usize;
            if let Some(slot) = ledger.sent_at[self.global].get(index) {
                slot.store(sent_at, Ordering::Release);
            }
        }
        self.session.send(&Message::Update(&update)).await?;
        if measured {
            // Counted once on the wire, so `expected` never runs ahead.
            ledger.sent[self.global].fetch_add(1, Ordering::AcqRel);
        }
        Ok(())
    }

    fn receive(&mut self, ledger: &Ledger, frame: &[u8]) {
        ledger.frames.fetch_add(1, Ordering::Relaxed);
        match self.session.framing().decode(frame) {
            Ok(Incoming::Update(update) | Incoming::SyncStep2(update)) => {
                self.record(ledger, update)
            }
            Ok(_) => {}
            Err(_) => {
                ledger.undecodable.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Counts what an update brings from the other clients of the room.
    fn record(&mut self, ledger: &Ledger, update: &[u8]) {
        let Ok(summary) = UpdateSummary::parse(update) else {
            ledger.undecodable.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let now = now_ns();
        let per_room = ledger.clients_per_room;
        let (mut delivered, mut duplicates, mut untimed, mut acquainted) = (0u64, 0u64, 0u64, 0u64);
        for range in &summary.clients {
            let Some(sender) = range.client.checked_sub(CLIENT_ID_BASE).map(|s| s as usize) else {
                continue; // the server's own writes (e.g. Kartenwand's meta)
            };
            if sender == self.global
                || sender / per_room != self.room
                || sender >= ledger.sent.len()
            {
                continue; // our own echo, or not a client of this run's room
            }
            let first = ledger.first_measured[sender].load(Ordering::Acquire);
            let next = &mut self.next_clock[sender % per_room];
            if range.end <= *next {
                if range.start >= first {
                    duplicates += u64::from(range.end - range.start);
                }
                continue;
            }
            let from = range.start.max(*next).max(first);
            if *next == 0 {
                acquainted += 1;
            }
            *next = range.end;
            for clock in from..range.end {
                delivered += 1;
                match send_time(&summary, range.client, clock)
                    .or_else(|| recorded_send_time(ledger, sender, clock - first))
                {
                    Some(sent) => {
                        let micros = now.saturating_sub(sent) / 1000;
                        self.latencies_us
                            .push(u32::try_from(micros).unwrap_or(u32::MAX));
                    }
                    None => untimed += 1,
                }
            }
        }
        if delivered > 0 {
            ledger.delivered.fetch_add(delivered, Ordering::AcqRel);
        }
        if acquainted > 0 {
            ledger.acquainted.fetch_add(acquainted, Ordering::AcqRel);
        }
        if duplicates > 0 {
            ledger.duplicates.fetch_add(duplicates, Ordering::Relaxed);
        }
        if untimed > 0 {
            ledger.untimed.fetch_add(untimed, Ordering::Relaxed);
        }
    }
}

/// The send time carried in the payload of the item `client:clock`.
fn send_time(summary: &UpdateSummary, client: u64, clock: u32) -> Option<u64> {
    let item = summary
        .items
        .iter()
        .find(|item| item.id.client == client && item.id.clock == clock)?;
    let Some(Value::String(text)) = &item.value else {
        return None;
    };
    text.strip_prefix("kwb:")?.split(':').nth(2)?.parse().ok()
}

fn recorded_send_time(ledger: &Ledger, sender: usize, index: u32) -> Option<u64> {
    let sent = ledger.sent_at[sender]
        .get(index as usize)?
        .load(Ordering::Acquire);
    (sent != 0).then_some(sent)
}

/// Waits for frames until `deadline`, passing every update payload on.
pub async fn read_updates_until(
    session: &mut Session,
    deadline: Instant,
    mut on_update: impl FnMut(&[u8]) -> bool,
) -> anyhow::Result<()> {
    loop {
        let frame = timeout_at(deadline, session.next_frame())
            .await
            .context("timed out")?
            .context("the server closed the connection")?;
        match session.framing().decode(&frame) {
            Ok(Incoming::Update(update) | Incoming::SyncStep2(update)) => {
                if on_update(update) {
                    return Ok(());
                }
            }
            Ok(_) => {}
            Err(error) => bail!("undecodable frame: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_send_time_in_a_payload() {
        let doc = Doc::with_client_id(CLIENT_ID_BASE + 3);
        let cards = doc.get_or_insert_map("cards");
        let update = {
            let mut txn = doc.transact_mut();
            cards.insert(&mut txn, "card", "kwb:3:0:123456789:xxxx");
            txn.encode_update_v1()
        };
        let summary = UpdateSummary::parse(&update);
        assert!(summary.is_ok());
        if let Ok(summary) = summary {
            assert_eq!(
                send_time(&summary, CLIENT_ID_BASE + 3, 0),
                Some(123_456_789)
            );
            assert_eq!(send_time(&summary, CLIENT_ID_BASE + 3, 1), None);
        }
    }
}
