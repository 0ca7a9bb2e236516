//! std::mt19937 with PyTorch's `left`/`next` bookkeeping (ATen/core/MT19937RNGEngine.h), so that
//! get_state/set_state exchange torch's bytes and every draw lands on the same state word.

/// Words of state.
pub const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// Written out rather than taken from a crate: torch's state format exposes the raw words and
/// the `left`/`next` counters, which crates keep private.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mt19937 {
    /// The full 64-bit seed; only its low 32 bits seed the engine (kept for `initial_seed`).
    pub seed: u64,
    /// One more than the draws left before the next twist (1..=624); 1 twists on the next draw.
    pub left: u32,
    /// Index of the next state word to temper (0..=624).
    pub next: u32,
    pub state: [u32; N],
}

impl Mt19937 {
    /// init_genrand on the low 32 bits; `left = 1` makes the first draw twist.
    pub fn new(seed: u64) -> Mt19937 {
        let mut state = [0u32; N];
        state[0] = seed as u32;
        for j in 1..N {
            let prev = state[j - 1];
            state[j] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(j as u32);
        }
        Mt19937 { seed, left: 1, next: 0, state }
    }

    /// torch's `is_valid`: the counters must describe a reachable position.
    pub fn is_valid(&self) -> bool {
        self.left > 0 && self.left as usize <= N && self.next as usize <= N
    }

    /// One engine output (`random()`).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.twist();
        }
        // A loaded state may have next == 624 with left > 1, where torch reads past its array;
        // yielding a zero word instead keeps this panic-free.
        let y = self.state.get(self.next as usize).copied().unwrap_or(0);
        self.next += 1;
        temper(y)
    }

    /// Regenerates all 624 words in place: the reference recurrence, split where the indices
    /// wrap so the loops need no modulo.
    fn twist(&mut self) {
        let s = &mut self.state;
        let mix = |a: u32, b: u32| {
            let y = (a & UPPER) | (b & LOWER);
            (y >> 1) ^ if b & 1 != 0 { MATRIX_A } else { 0 }
        };
        for i in 0..N - M {
            s[i] = s[i + M] ^ mix(s[i], s[i + 1]);
        }
        for i in N - M..N - 1 {
            s[i] = s[i + M - N] ^ mix(s[i], s[i + 1]);
        }
        s[N - 1] = s[M - 1] ^ mix(s[N - 1], s[0]);
        self.left = N as u32;
        self.next = 0;
    }
}

#[inline]
fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_for_default_seed() {
        // C++11 [rand.predef]: the 10000th output of a default-constructed std::mt19937.
        let mut mt = Mt19937::new(5489);
        assert_eq!(mt.next_u32(), 3_499_211_612);
        assert_eq!(mt.next_u32(), 581_869_302);
        for _ in 2..9999 {
            mt.next_u32();
        }
        assert_eq!(mt.next_u32(), 4_123_659_995);
    }

    #[test]
    fn counters_follow_torch() {
        let mut mt = Mt19937::new(0);
        assert_eq!((mt.left, mt.next), (1, 0));
        mt.next_u32();
        assert_eq!((mt.left, mt.next), (624, 1));
        for _ in 0..623 {
            mt.next_u32();
        }
        assert_eq!((mt.left, mt.next), (1, 624));
        mt.next_u32();
        assert_eq!((mt.left, mt.next), (624, 1));
    }

    #[test]
    fn only_low_seed_bits_matter() {
        let mut a = Mt19937::new(7);
        let mut b = Mt19937::new(7 + (1u64 << 32));
        assert_eq!(a.next_u32(), b.next_u32());
        assert_ne!(a.seed, b.seed);
    }

    #[test]
    fn corrupt_position_does_not_panic() {
        let mut mt = Mt19937::new(1);
        mt.left = 5;
        mt.next = 624;
        for _ in 0..10 {
            mt.next_u32();
        }
    }
}
