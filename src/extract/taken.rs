//! The bytes of a text that the spans kept so far cover, a bit per byte:
//! whether a new span overlaps one of them is a look at its own bits, with
//! no ordered map to search or keep.

/// Byte positions covered by the spans taken so far.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    bits: Vec<u64>,
}

impl Taken {
    /// No position taken yet, in a text of `len` bytes (it grows if a span
    /// reaches past that).
    pub(crate) fn new(len: usize) -> Taken {
        Taken {
            bits: vec![0; len.div_ceil(64)],
        }
    }

    /// Whether any byte of `start..end` is taken.
    pub(crate) fn clashes(&self, start: usize, end: usize) -> bool {
        words(start, end).any(|(i, mask)| self.bits.get(i).is_some_and(|w| w & mask != 0))
    }

    /// Marks the bytes of `start..end` taken.
    pub(crate) fn take(&mut self, start: usize, end: usize) {
        if end.div_ceil(64) > self.bits.len() {
            self.bits.resize(end.div_ceil(64), 0);
        }
        for (i, mask) in words(start, end) {
            self.bits[i] |= mask;
        }
    }
}

/// The words of the bit set that `start..end` touches, each with the mask
/// of its bits in the span.
fn words(start: usize, end: usize) -> impl Iterator<Item = (usize, u64)> {
    (start / 64..end.div_ceil(64)).map(move |i| {
        let from = start.max(i * 64) - i * 64;
        let to = end.min(i * 64 + 64) - i * 64;
        let high = if to == 64 { u64::MAX } else { (1u64 << to) - 1 };
        (i, high & !((1u64 << from) - 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_clash_only_where_they_share_a_byte() {
        let mut taken = Taken::new(200);
        taken.take(10, 20);
        taken.take(60, 130);
        assert!(!taken.clashes(0, 10));
        assert!(taken.clashes(19, 25));
        assert!(!taken.clashes(20, 60));
        assert!(taken.clashes(20, 61));
        assert!(taken.clashes(127, 128));
        assert!(!taken.clashes(130, 200));
        assert!(!taken.clashes(15, 15));
        // Past the length given at first.
        taken.take(300, 310);
        assert!(taken.clashes(309, 400));
        assert!(!taken.clashes(310, 400));
    }
}
