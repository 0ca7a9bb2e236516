//! torch's CPU generator: a 32-bit Mersenne Twister with torch's transformations, so that the same
//! seed gives the same numbers as PyTorch.
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::error::{Result, runtime};

const N: usize = 624;
const M: usize = 397;

/// std::mt19937. Written out (rather than taken from a crate) because torch's `get_state` /
/// `set_state` expose the raw 624-word state and position, which crates keep private.
#[derive(Clone)]
pub struct Mt {
    pub state: [u32; N],
    pub index: usize,
}

impl Mt {
    pub fn new(seed: u32) -> Mt {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            state[i] = 1812433253u32.wrapping_mul(state[i - 1] ^ (state[i - 1] >> 30)).wrapping_add(i as u32);
        }
        Mt { state, index: N }
    }
    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut v = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.index = 0;
    }
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }
}

/// The seed of torch's default CPU generator at start-up.
pub const DEFAULT_SEED: u64 = 67280421310721;

pub struct GenState {
    mt: Mt,
    pub seed: u64,
    /// Box-Muller makes two samples; the scalar double path keeps the second for the next call.
    pub next_double_normal: Option<f64>,
}

impl GenState {
    fn new(seed: u64) -> GenState {
        GenState { mt: Mt::new(seed as u32), seed, next_double_normal: None }
    }
    #[inline]
    pub fn random(&mut self) -> u32 {
        self.mt.next_u32()
    }
    /// Two draws; the first is the high word.
    #[inline]
    pub fn random64(&mut self) -> u64 {
        let hi = self.mt.next_u32() as u64;
        let lo = self.mt.next_u32() as u64;
        (hi << 32) | lo
    }
    /// uniform_real_distribution<float>: 24 random bits.
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.random() & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32)
    }
    /// uniform_real_distribution<double>: 53 random bits.
    #[inline]
    pub fn uniform_f64(&mut self) -> f64 {
        (self.random64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// normal_distribution<double>: Box-Muller, caching the sine sample.
    pub fn normal_f64(&mut self, mean: f64, std: f64) -> f64 {
        if let Some(v) = self.next_double_normal.take() {
            return v * std + mean;
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        r * theta.cos() * std + mean
    }
    pub fn mt(&self) -> &Mt {
        &self.mt
    }
    pub fn mt_mut(&mut self) -> &mut Mt {
        &mut self.mt
    }
    pub fn set_seed(&mut self, seed: u64) {
        *self = GenState::new(seed);
    }
    pub fn snapshot(&self) -> GenState {
        GenState { mt: self.mt.clone(), seed: self.seed, next_double_normal: self.next_double_normal }
    }
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

pub fn default_generator() -> &'static Generator {
    static G: OnceLock<Generator> = OnceLock::new();
    G.get_or_init(|| Generator::new(DEFAULT_SEED))
}

/// torch's normal_fill for contiguous float tensors of 16+ elements: uniforms first, then
/// Box-Muller over blocks of 16 (8 pairs), with a fresh block over the last 16 for the tail.
pub fn normal_fill_f32(g: &mut GenState, data: &mut [f32], mean: f32, std: f32) {
    let n = data.len();
    for v in data.iter_mut() {
        *v = g.uniform_f32();
    }
    let block = |d: &mut [f32]| {
        for j in 0..8 {
            let u1 = 1.0 - d[j];
            let u2 = d[j + 8];
            let radius = (-2.0 * u1.ln()).sqrt();
            let theta = 2.0 * std::f32::consts::PI * u2;
            d[j] = radius * theta.cos() * std + mean;
            d[j + 8] = radius * theta.sin() * std + mean;
        }
    };
    let mut i = 0;
    while i + 16 <= n {
        block(&mut data[i..i + 16]);
        i += 16;
    }
    if n % 16 != 0 {
        let tail = &mut data[n - 16..];
        for v in tail.iter_mut() {
            *v = g.uniform_f32();
        }
        block(tail);
    }
}

pub fn normal_fill_f64(g: &mut GenState, data: &mut [f64], mean: f64, std: f64) {
    let n = data.len();
    for v in data.iter_mut() {
        *v = g.uniform_f64();
    }
    let block = |d: &mut [f64]| {
        for j in 0..8 {
            let u1 = 1.0 - d[j];
            let u2 = d[j + 8];
            let radius = (-2.0 * u1.ln()).sqrt();
            let theta = 2.0 * std::f64::consts::PI * u2;
            d[j] = radius * theta.cos() * std + mean;
            d[j + 8] = radius * theta.sin() * std + mean;
        }
    };
    let mut i = 0;
    while i + 16 <= n {
        block(&mut data[i..i + 16]);
        i += 16;
    }
    if n % 16 != 0 {
        let tail = &mut data[n - 16..];
        for v in tail.iter_mut() {
            *v = g.uniform_f64();
        }
        block(tail);
    }
}
