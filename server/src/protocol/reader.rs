//! A bounded cursor over lib0-encoded bytes
//! (<https://github.com/dmonad/lib0/blob/main/decoding.js>).

use super::ProtocolError;

/// Reads lib0 primitives from a slice. Every length and count is checked
/// against the bytes that remain, so callers can allocate from them safely.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, position: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn position(&self) -> usize {
        self.position
    }

    pub fn u8(&mut self) -> Result<u8, ProtocolError> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or(ProtocolError::UnexpectedEnd)?;
        self.position += 1;
        Ok(byte)
    }

    /// lib0 `readVarUint`: at most ten bytes, and the value must fit 64 bits.
    pub fn var_u64(&mut self) -> Result<u64, ProtocolError> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(ProtocolError::NumberTooLarge);
            }
            value |= bits << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(ProtocolError::NumberTooLarge)
    }

    /// A Yjs client id. Yjs and yrs use 53 bits (a JavaScript safe integer);
    /// yrs silently drops higher bits, which would let one id pose as another.
    pub fn client_id(&mut self) -> Result<u64, ProtocolError> {
        let client = self.var_u64()?;
        if client >= 1 << 53 {
            return Err(ProtocolError::InvalidClientId);
        }
        Ok(client)
    }

    pub fn var_u32(&mut self) -> Result<u32, ProtocolError> {
        u32::try_from(self.var_u64()?).map_err(|_| ProtocolError::NumberTooLarge)
    }

    /// The bytes between two positions already read.
    pub fn bytes_between(&self, start: usize, end: usize) -> &'a [u8] {
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// lib0 `readVarInt`: a sign bit and six bits in the first byte, seven in
    /// each following one (magnitude up to 2^53 in practice).
    pub fn var_i64(&mut self) -> Result<i64, ProtocolError> {
        let first = self.u8()?;
        let negative = first & 0x40 != 0;
        let mut magnitude = u64::from(first & 0x3f);
        if first & 0x80 != 0 {
            let mut shift = 6;
            loop {
                let byte = self.u8()?;
                if shift > 63 {
                    return Err(ProtocolError::NumberTooLarge);
                }
                magnitude |= u64::from(byte & 0x7f)
                    .checked_shl(shift)
                    .ok_or(ProtocolError::NumberTooLarge)?;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
        }
        let magnitude = i64::try_from(magnitude).map_err(|_| ProtocolError::NumberTooLarge)?;
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// lib0 `readVarInt`, only validated and skipped.
    pub fn skip_var_i64(&mut self) -> Result<(), ProtocolError> {
        for _ in 0..10 {
            if self.u8()? < 0x80 {
                return Ok(());
            }
        }
        Err(ProtocolError::NumberTooLarge)
    }

    /// A count of elements that each take at least `min_element_bytes`.
    pub fn count(&mut self, min_element_bytes: usize) -> Result<usize, ProtocolError> {
        let count = self.var_u64()?;
        let needed = count.saturating_mul(min_element_bytes.max(1) as u64);
        if needed > self.remaining() as u64 {
            return Err(ProtocolError::LengthExceedsFrame);
        }
        // Cannot truncate: it is at most `remaining()`.
        Ok(count as usize)
    }

    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], ProtocolError> {
        if len > self.remaining() {
            return Err(ProtocolError::LengthExceedsFrame);
        }
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }

    /// lib0 `readVarUint8Array`.
    pub fn var_bytes(&mut self) -> Result<&'a [u8], ProtocolError> {
        let len = self.count(1)?;
        self.bytes(len)
    }

    /// lib0 `readVarString`.
    pub fn var_str(&mut self) -> Result<&'a str, ProtocolError> {
        std::str::from_utf8(self.var_bytes()?).map_err(|_| ProtocolError::InvalidUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lib0_varuints() {
        assert_eq!(Reader::new(&[0]).var_u64(), Ok(0));
        assert_eq!(Reader::new(&[0x7f]).var_u64(), Ok(127));
        assert_eq!(Reader::new(&[0x80, 0x01]).var_u64(), Ok(128));
        assert_eq!(
            Reader::new(&[0xff; 11]).var_u64(),
            Err(ProtocolError::NumberTooLarge)
        );
        assert_eq!(
            Reader::new(&[0x80]).var_u64(),
            Err(ProtocolError::UnexpectedEnd)
        );
    }

    #[test]
    fn counts_are_bounded_by_what_follows() {
        assert_eq!(Reader::new(&[3, 1, 2, 3]).count(1), Ok(3));
        assert_eq!(
            Reader::new(&[3, 1, 2, 3]).count(2),
            Err(ProtocolError::LengthExceedsFrame)
        );
    }
}
