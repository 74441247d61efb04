//! Frames from a peer, decoded and validated on the peer's own task so the
//! room task only does the work that needs the document.

use crate::protocol::update::UpdateSummary;
use crate::protocol::{Message, ProtocolError, StateVector, awareness};
use bytes::Bytes;

/// A validated message from a peer. Payloads share the frame's buffer.
#[derive(Debug)]
pub enum Inbound {
    /// The peer's state vector; answer with what it lacks.
    SyncStep1(Bytes),
    /// A document update (sync step 2 or update) and what it touches.
    Update {
        payload: Bytes,
        summary: UpdateSummary,
    },
    /// An awareness update whose entries are well-formed.
    Awareness(Bytes),
    QueryAwareness,
}

impl Inbound {
    /// Decodes one frame. `Ok(None)` for messages a server ignores.
    pub fn decode(frame: &Bytes) -> Result<Option<Inbound>, ProtocolError> {
        Ok(Some(match Message::decode(frame)? {
            Message::SyncStep1(state_vector) => {
                StateVector::decode(state_vector)?;
                Inbound::SyncStep1(frame.slice_ref(state_vector))
            }
            Message::SyncStep2(update) | Message::Update(update) => Inbound::Update {
                summary: UpdateSummary::parse(update)?,
                payload: frame.slice_ref(update),
            },
            Message::Awareness(update) => {
                awareness::decode(update)?;
                Inbound::Awareness(frame.slice_ref(update))
            }
            Message::QueryAwareness => Inbound::QueryAwareness,
            // Only servers deny permissions.
            Message::PermissionDenied(_) => return Ok(None),
        }))
    }
}
