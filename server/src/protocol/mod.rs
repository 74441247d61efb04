//! The y-websocket wire format, without I/O.
//!
//! Every websocket frame carries exactly one message (y-websocket 3.x clients
//! decode only the first message of a frame). The layout follows
//! `y-protocols` (<https://github.com/yjs/y-protocols/blob/master/PROTOCOL.md>):
//!
//! ```text
//! message   = varuint(type) payload
//! type 0    sync:            varuint(0 step 1 | 1 step 2 | 2 update) varbytes
//! type 1    awareness:       varbytes(awareness update)
//! type 2    auth:            varuint(0 permission denied) varstring(reason)
//! type 3    query awareness: (nothing)
//! ```
//!
//! Decoding is bounded: every count and length a frame declares is checked
//! against the bytes that really follow before anything is allocated, and
//! nothing here panics on any input. The payloads are validated by
//! [`update::UpdateSummary`], [`StateVector`] and [`awareness`] before any of
//! them reaches yrs, whose own decoders reserve memory from declared counts.

pub mod awareness;
mod reader;
pub mod update;

pub use reader::Reader;
use thiserror::Error;

/// Top-level message types of the y-websocket protocol.
const MESSAGE_SYNC: u64 = 0;
const MESSAGE_AWARENESS: u64 = 1;
const MESSAGE_AUTH: u64 = 2;
const MESSAGE_QUERY_AWARENESS: u64 = 3;

/// Sync message subtypes.
const SYNC_STEP_1: u64 = 0;
const SYNC_STEP_2: u64 = 1;
const SYNC_UPDATE: u64 = 2;

/// The only auth message subtype `y-protocols` defines.
const AUTH_PERMISSION_DENIED: u64 = 0;

/// Why a frame could not be decoded. The text is sent to the client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error("message ends early")]
    UnexpectedEnd,
    #[error("number is too large")]
    NumberTooLarge,
    #[error("client id is not a 53-bit integer")]
    InvalidClientId,
    #[error("awareness clock is above 2^53 - 1")]
    InvalidAwarenessClock,
    #[error("a count or length exceeds the size of the message")]
    LengthExceedsFrame,
    #[error("text is not valid UTF-8")]
    InvalidUtf8,
    #[error("unknown message type {0}")]
    UnknownMessageType(u64),
    #[error("unknown sync message type {0}")]
    UnknownSyncType(u64),
    #[error("unknown auth message type {0}")]
    UnknownAuthType(u64),
    #[error("unexpected bytes after the message")]
    TrailingBytes,
    #[error("unknown content type {0}")]
    UnknownContent(u8),
    #[error("unsupported content: {0}")]
    UnsupportedContent(&'static str),
    #[error("empty block")]
    EmptyBlock,
    #[error("values are nested too deeply")]
    TooDeep,
    #[error("clock overflows")]
    ClockOverflow,
    #[error("a client appears twice in one update")]
    DuplicateClient,
    #[error("awareness state is not valid JSON")]
    InvalidAwarenessState,
}

/// One decoded frame. Payloads borrow from the frame and are not yet
/// validated beyond their framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// Sync step 1: the sender's encoded state vector.
    SyncStep1(&'a [u8]),
    /// Sync step 2: an update answering a step 1.
    SyncStep2(&'a [u8]),
    /// An incremental document update.
    Update(&'a [u8]),
    /// An encoded awareness update.
    Awareness(&'a [u8]),
    /// The server refused something; only servers send it.
    PermissionDenied(&'a str),
    /// Ask for every awareness state the other side knows.
    QueryAwareness,
}

impl<'a> Message<'a> {
    /// Decodes exactly one message that fills the whole frame.
    pub fn decode(frame: &'a [u8]) -> Result<Self, ProtocolError> {
        let mut reader = Reader::new(frame);
        let message = match reader.var_u64()? {
            MESSAGE_SYNC => match reader.var_u64()? {
                SYNC_STEP_1 => Message::SyncStep1(reader.var_bytes()?),
                SYNC_STEP_2 => Message::SyncStep2(reader.var_bytes()?),
                SYNC_UPDATE => Message::Update(reader.var_bytes()?),
                other => return Err(ProtocolError::UnknownSyncType(other)),
            },
            MESSAGE_AWARENESS => Message::Awareness(reader.var_bytes()?),
            MESSAGE_AUTH => match reader.var_u64()? {
                AUTH_PERMISSION_DENIED => Message::PermissionDenied(reader.var_str()?),
                other => return Err(ProtocolError::UnknownAuthType(other)),
            },
            MESSAGE_QUERY_AWARENESS => Message::QueryAwareness,
            other => return Err(ProtocolError::UnknownMessageType(other)),
        };
        if !reader.is_empty() {
            return Err(ProtocolError::TrailingBytes);
        }
        Ok(message)
    }

    /// Encodes the message as one frame.
    pub fn encode(&self) -> Vec<u8> {
        let payload_len = match self {
            Message::SyncStep1(p) | Message::SyncStep2(p) | Message::Update(p) => p.len(),
            Message::Awareness(p) => p.len(),
            Message::PermissionDenied(reason) => reason.len(),
            Message::QueryAwareness => 0,
        };
        let mut out = Vec::with_capacity(payload_len + 8);
        match self {
            Message::SyncStep1(payload) => write_sync(&mut out, SYNC_STEP_1, payload),
            Message::SyncStep2(payload) => write_sync(&mut out, SYNC_STEP_2, payload),
            Message::Update(payload) => write_sync(&mut out, SYNC_UPDATE, payload),
            Message::Awareness(payload) => {
                write_var_u64(&mut out, MESSAGE_AWARENESS);
                write_var_bytes(&mut out, payload);
            }
            Message::PermissionDenied(reason) => {
                write_var_u64(&mut out, MESSAGE_AUTH);
                write_var_u64(&mut out, AUTH_PERMISSION_DENIED);
                write_var_bytes(&mut out, reason.as_bytes());
            }
            Message::QueryAwareness => write_var_u64(&mut out, MESSAGE_QUERY_AWARENESS),
        }
        out
    }
}

fn write_sync(out: &mut Vec<u8>, kind: u64, payload: &[u8]) {
    write_var_u64(out, MESSAGE_SYNC);
    write_var_u64(out, kind);
    write_var_bytes(out, payload);
}

/// lib0 `writeVarUint`: seven bits a byte, least significant first.
pub fn write_var_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// lib0 `writeVarUint8Array`: a length, then the bytes.
pub fn write_var_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A validated state vector: each client's next expected clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateVector {
    pub clocks: Vec<(u64, u32)>,
}

impl StateVector {
    /// Parses an encoded state vector (`varuint(n)` then `n` pairs of
    /// `varuint(client) varuint(clock)`).
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        let mut reader = Reader::new(bytes);
        // Each pair takes at least two bytes.
        let count = reader.count(2)?;
        let mut clocks = Vec::with_capacity(count);
        for _ in 0..count {
            let client = reader.client_id()?;
            let clock = reader.var_u32()?;
            clocks.push((client, clock));
        }
        if !reader.is_empty() {
            return Err(ProtocolError::TrailingBytes);
        }
        Ok(StateVector { clocks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_each_message_kind() {
        let messages = [
            Message::SyncStep1(&[0]),
            Message::SyncStep2(&[0, 0]),
            Message::Update(&[1, 2, 3]),
            Message::Awareness(&[0]),
            Message::PermissionDenied("nicht erlaubt"),
            Message::QueryAwareness,
        ];
        for message in messages {
            assert_eq!(Message::decode(&message.encode()), Ok(message.clone()));
        }
    }

    #[test]
    fn matches_the_bytes_y_websocket_sends() {
        // y-websocket's sync step 1 for an empty document: [0, 0, 1, 0].
        assert_eq!(Message::decode(&[0, 0, 1, 0]), Ok(Message::SyncStep1(&[0])));
        assert_eq!(Message::decode(&[3]), Ok(Message::QueryAwareness));
    }

    #[test]
    fn refuses_absurd_declared_lengths() {
        // A sync update claiming 2^63 bytes in a five-byte frame.
        let frame = [0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        assert_eq!(
            Message::decode(&frame),
            Err(ProtocolError::LengthExceedsFrame)
        );
        // A state vector claiming a billion entries.
        assert_eq!(
            StateVector::decode(&[0x80, 0x94, 0xeb, 0xdc, 0x03]),
            Err(ProtocolError::LengthExceedsFrame)
        );
    }

    #[test]
    fn refuses_trailing_bytes_and_unknown_types() {
        assert_eq!(Message::decode(&[3, 0]), Err(ProtocolError::TrailingBytes));
        assert_eq!(
            Message::decode(&[9]),
            Err(ProtocolError::UnknownMessageType(9))
        );
        assert_eq!(
            Message::decode(&[0, 7, 0]),
            Err(ProtocolError::UnknownSyncType(7))
        );
        assert_eq!(Message::decode(&[]), Err(ProtocolError::UnexpectedEnd));
    }

    proptest! {
        #[test]
        fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Message::decode(&bytes);
            let _ = StateVector::decode(&bytes);
        }

        #[test]
        fn var_u64_round_trips(value in any::<u64>()) {
            let mut out = Vec::new();
            write_var_u64(&mut out, value);
            prop_assert_eq!(Reader::new(&out).var_u64(), Ok(value));
        }

        #[test]
        fn sync_messages_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            let message = Message::Update(&payload);
            let encoded = message.encode();
            prop_assert_eq!(Message::decode(&encoded), Ok(message));
        }
    }
}
