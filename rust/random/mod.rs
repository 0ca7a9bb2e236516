//! torch's CPU generator (`at::CPUGeneratorImpl`): an mt19937 engine, the cached Box-Muller
//! sample, torch's uniform transforms and its 5056-byte state format, so that the same seed (or
//! the same state bytes) gives PyTorch's numbers bit for bit. docs/RNG.md is the specification.
mod mt;
pub mod normal;
pub use crate::backend::cpu::stdsort;

use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::bail;
use crate::error::{Result, runtime};
pub use mt::Mt19937;

/// Seed of a fresh `torch.Generator()` (`c10::default_rng_seed_val`). The global generator is
/// seeded from /dev/urandom instead.
pub const DEFAULT_SEED: u64 = 67280421310721;

/// `sizeof(CPUGeneratorImplState)`: the length of get_state's byte tensor.
pub const STATE_SIZE: usize = 5056;

pub struct GenState {
    pub engine: Mt19937,
    /// The second Box-Muller sample of the scalar double path (`normal_y` in the state).
    pub next_double_normal: Option<f64>,
    /// Carried through set_state/get_state only: no CPU kernel reads it.
    pub next_float_normal: Option<f32>,
}

impl GenState {
    pub fn new(seed: u64) -> GenState {
        GenState { engine: Mt19937::new(seed), next_double_normal: None, next_float_normal: None }
    }

    pub fn seed(&self) -> u64 {
        self.engine.seed
    }

    /// `set_current_seed`: a fresh engine, and both cached normals dropped.
    pub fn set_seed(&mut self, seed: u64) {
        *self = GenState::new(seed);
    }

    #[inline]
    pub fn random(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// Two draws; the first is the high word.
    #[inline]
    pub fn random64(&mut self) -> u64 {
        let hi = self.random() as u64;
        (hi << 32) | self.random() as u64
    }

    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits (exact in f32).
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.random() & 0x00ff_ffff) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// `uniform_real_distribution<double>(0, 1)`: 53 random bits (exact in f64).
    #[inline]
    pub fn uniform_f64(&mut self) -> f64 {
        (self.random64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `normal_distribution<double>`: Box-Muller that caches the raw sine sample; the next call
    /// consumes it with that call's own mean and std.
    pub fn normal_f64(&mut self, mean: f64, std: f64) -> f64 {
        if let Some(z) = self.next_double_normal.take() {
            return z.mul_add(std, mean);
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        (r * theta.cos()).mul_add(std, mean)
    }

    /// The `CPUGeneratorImplState` bytes (little-endian; padding and unused fields zero).
    pub fn get_state(&self) -> Vec<u8> {
        let mut b = vec![0u8; STATE_SIZE];
        let mut put = |off: usize, bytes: &[u8]| b[off..off + bytes.len()].copy_from_slice(bytes);
        let e = &self.engine;
        put(0, &e.seed.to_le_bytes());
        put(8, &(e.left as i32).to_le_bytes());
        put(12, &1i32.to_le_bytes());
        put(16, &(e.next as u64).to_le_bytes());
        for (i, w) in e.state.iter().enumerate() {
            put(24 + 8 * i, &(*w as u64).to_le_bytes());
        }
        if let Some(y) = self.next_double_normal {
            put(5024, &y.to_le_bytes());
            put(5040, &1i32.to_le_bytes());
        }
        if let Some(f) = self.next_float_normal {
            put(5048, &f.to_le_bytes());
            put(5052, &[1]);
        }
        b
    }

    /// Loads `get_state` bytes (torch's or ours), with torch's checks and error texts.
    pub fn set_state(&mut self, b: &[u8]) -> Result<()> {
        if b.len() != STATE_SIZE {
            bail!(
                runtime,
                "Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size to be {}",
                b.len()
            );
        }
        let left = i32::from_le_bytes(le(b, 8));
        let seeded = i32::from_le_bytes(le(b, 12));
        let mut engine = Mt19937 {
            seed: u64::from_le_bytes(le(b, 0)),
            left: left.max(0) as u32,
            // torch narrows the stored u64 to its u32 field.
            next: u64::from_le_bytes(le(b, 16)) as u32,
            state: [0; mt::N],
        };
        for (i, w) in engine.state.iter_mut().enumerate() {
            *w = u64::from_le_bytes(le(b, 24 + 8 * i)) as u32;
        }
        if seeded == 0 || left <= 0 || !engine.is_valid() {
            bail!(runtime, "Invalid mt19937 state");
        }
        self.engine = engine;
        let valid = i32::from_le_bytes(le(b, 5040)) != 0;
        self.next_double_normal = valid.then(|| f64::from_le_bytes(le(b, 5024)));
        let fvalid = b.get(5052).is_some_and(|&v| v != 0);
        self.next_float_normal = fvalid.then(|| f32::from_le_bytes(le(b, 5048)));
        Ok(())
    }
}

/// `K` bytes at `off` (zeros past the end; callers check the length first).
fn le<const K: usize>(b: &[u8], off: usize) -> [u8; K] {
    b.get(off..off + K).and_then(|s| s.try_into().ok()).unwrap_or([0; K])
}

pub struct Generator {
    state: Mutex<GenState>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { state: Mutex::new(GenState::new(seed)) }
    }
    pub fn lock(&self) -> Result<MutexGuard<'_, GenState>> {
        self.state.lock().map_err(|_| runtime("generator state is poisoned"))
    }
}

/// The global CPU generator, seeded nondeterministically on first use like torch's at start-up.
pub fn default_generator() -> &'static Generator {
    static G: OnceLock<Generator> = OnceLock::new();
    G.get_or_init(|| Generator::new(nondeterministic_seed()))
}

/// torch's `getNonDeterministicRandom` for CPU: 8 bytes of /dev/urandom. Where that is missing,
/// std's per-process random hash keys mixed with the clock.
pub fn nondeterministic_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::io::Read;
    let mut b = [0u8; 8];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b)).is_ok() {
        return u64::from_le_bytes(b);
    }
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    h.write_u128(now);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_roundtrip_keeps_position_and_cache() {
        let mut g = GenState::new(42);
        g.normal_f64(0.0, 1.0);
        for _ in 0..700 {
            g.random();
        }
        let bytes = g.get_state();
        assert_eq!(bytes.len(), STATE_SIZE);
        let mut h = GenState::new(0);
        assert!(h.set_state(&bytes).is_ok());
        assert_eq!(h.get_state(), bytes);
        assert_eq!(h.next_double_normal, g.next_double_normal);
        assert_eq!(h.random64(), g.random64());
    }

    #[test]
    fn invalid_states_are_rejected() {
        let mut g = GenState::new(1);
        assert!(g.set_state(&[0u8; 10]).is_err());
        assert!(g.set_state(&[0u8; STATE_SIZE]).is_err());
        let mut b = GenState::new(1).get_state();
        b[8..12].copy_from_slice(&625i32.to_le_bytes());
        assert!(g.set_state(&b).is_err());
        b[8..12].copy_from_slice(&624i32.to_le_bytes());
        b[16..24].copy_from_slice(&625u64.to_le_bytes());
        assert!(g.set_state(&b).is_err());
    }

    #[test]
    fn manual_seed_clears_the_cached_normal() {
        let mut g = GenState::new(3);
        g.normal_f64(0.0, 1.0);
        assert!(g.next_double_normal.is_some());
        g.set_seed(3);
        assert!(g.next_double_normal.is_none());
    }
}
