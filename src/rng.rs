//! A small deterministic pseudo-random number generator.
//!
//! Synthetic models ([`crate::tools::generate`]) and sampled scenarios ([`crate::analysis::sampling`]) must
//! be byte-identical for a seed on every platform. The generators are those of the
//! `rand_xoshiro` crate: [`SplitMix64`] expands a 64-bit seed into the state of a
//! xoshiro256** generator ([`Rng`]), as recommended by their authors (Blackman and Vigna);
//! the test vectors below are the authors' reference outputs.
//!
//! Every draw uses only integer arithmetic and the IEEE 754 basic operations (`+ - * /`,
//! `sqrt`), which are correctly rounded everywhere. The transcendental functions that
//! [`Rng::normal`] needs are the portable [`ln`] and [`exp`] of this module, not the
//! platform's libm, whose last bit may differ between systems.

use rand_xoshiro::rand_core::{Rng as _, SeedableRng};
use rand_xoshiro::Xoshiro256StarStar;

/// The SplitMix64 generator (Steele, Lea and Flood), used to expand seeds: a thin wrapper
/// over `rand_xoshiro::SplitMix64`.
///
/// Its outputs for the state 0 start `0xe220a8397b1dcdaf`, `0x6e789e6aa1b965f4`,
/// `0x06c45d188009454f`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    inner: rand_xoshiro::SplitMix64,
}

impl SplitMix64 {
    /// A generator whose state is `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 {
            inner: rand_xoshiro::SplitMix64::seed_from_u64(seed),
        }
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// A deterministic xoshiro256** generator (`rand_xoshiro::Xoshiro256StarStar`), seeded
/// through [`SplitMix64`].
///
/// The same seed gives the same sequence of draws on every platform. It is fast and of good
/// statistical quality, but not cryptographically secure.
#[derive(Debug, Clone, PartialEq)]
pub struct Rng {
    inner: Xoshiro256StarStar,
    /// The second normal deviate of the last polar-method pair, returned by the next call.
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator for `seed`: its state is the first four outputs of `SplitMix64::new(seed)`
    /// (what `Xoshiro256StarStar::seed_from_u64` does).
    pub fn new(seed: u64) -> Self {
        Rng {
            inner: Xoshiro256StarStar::seed_from_u64(seed),
            spare_normal: None,
        }
    }

    /// An independent generator for sub-stream `stream` of `seed`.
    ///
    /// Useful to give each part of a generated model its own stream, so that e.g. the
    /// offers of one mineral do not change when another mineral gets more of them.
    /// `Rng::derive(seed, a)` and `Rng::derive(seed, b)` are unrelated for `a != b`.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut sm = SplitMix64::new(stream ^ 0x5851_f42d_4c95_7f2d);
        let key = sm.next_u64();
        let mut sm = SplitMix64::new(seed ^ key);
        Rng::new(sm.next_u64())
    }

    /// A generator with the raw xoshiro256** state `s` (which must not be all zero).
    #[cfg(test)]
    fn from_state(s: [u64; 4]) -> Self {
        debug_assert!(s.iter().any(|&w| w != 0), "xoshiro256** state is all zero");
        let mut seed = [0u8; 32];
        for (chunk, word) in seed.chunks_exact_mut(8).zip(s) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        Rng {
            inner: Xoshiro256StarStar::from_seed(seed),
            spare_normal: None,
        }
    }

    /// The next 64-bit output of xoshiro256**.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform draw from [0, 1): the top 53 bits of [`Rng::next_u64`] scaled by 2⁻⁵³.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw x with `lo ≤ x < hi`: `lo + (hi − lo) · u`, u from [`Rng::f64`].
    ///
    /// With `lo == hi` it returns `lo`; with `lo > hi` it draws from `hi < x ≤ lo`.
    pub fn range_f64(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// A uniform integer from `0..n`, without modulo bias (Lemire's multiply-and-reject).
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0): empty range");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            // 2^64 mod n: the number of low values that would make the draw biased.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// A standard normal deviate (mean 0, variance 1), by Marsaglia's polar method.
    ///
    /// Deviates come in pairs: every second call returns the cached partner of the previous
    /// one without drawing. The method uses only [`ln`] of this module and `sqrt`, so the
    /// result is the same on every platform.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.f64() - 1.0;
            let v = 2.0 * self.f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * ln(s) / s).sqrt();
                self.spare_normal = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// Shuffles `items` uniformly in place (Fisher–Yates, drawing with [`Rng::below`]).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// ln 2 split in a high part with trailing zero bits (so `k · LN2_HI` is exact for |k| < 2¹¹)
/// and the remainder (the fdlibm constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-1
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10

/// 2^k as an `f64`, for k in the normal exponent range −1022..=1023.
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// The natural logarithm, computed with basic IEEE operations only, so that it gives the
/// same bits on every platform (within about one unit in the last place of the true value).
///
/// Kept hand-written rather than taken from the `libm` crate: `libm::log` is portable too,
/// but its last bit differs from this function's for about 22% of arguments in (0, 1)
/// (measured on 2 million draws), so switching would change every deviate of
/// [`Rng::normal`] that uses one of them and with it synthetic models published by seed.
///
/// `ln(0) = −∞`, `ln(+∞) = +∞`, and `ln(x)` is NaN for negative or NaN `x`.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let mut e: i32 = 0;
    let mut y = x;
    if y < f64::MIN_POSITIVE {
        // Subnormal: scale into the normal range first.
        y *= pow2(54);
        e -= 54;
    }
    let bits = y.to_bits();
    e += ((bits >> 52) & 0x7ff) as i32 - 1023;
    // Mantissa in [1, 2), then moved into [√½, √2) so that |s| below is at most 0.1716.
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m − 1)/(m + 1); m − 1 is exact (Sterbenz).
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // atanh(s)/s = Σ s^(2j)/(2j + 1); s² ≤ 0.0295, so 14 terms reach below 1e-20.
    let mut series = 0.0;
    for j in (0..14).rev() {
        series = 1.0 / f64::from(2 * j + 1) + s2 * series;
    }
    let ln_m = 2.0 * s * series;
    let ef = f64::from(e);
    ef * LN2_HI + (ef * LN2_LO + ln_m)
}

/// The exponential function, computed with basic IEEE operations only, so that it gives the
/// same bits on every platform (within about one unit in the last place of the true value).
///
/// Overflows to +∞ above about 709.78 and underflows to 0 below about −745.1.
///
/// Kept hand-written for the reason given at [`ln`]: `libm::exp` differs from it in the last
/// bit for about 7% of arguments in (−700, 700), which would change synthetic models.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.133_219_101_941_1 {
        return 0.0;
    }
    // x = k ln 2 + r with |r| ≤ ln 2 / 2.
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series of e^r in Horner form: |r| ≤ 0.347, 18 terms are far below 1 ulp.
    let mut p = 1.0;
    for i in (1..=18).rev() {
        p = 1.0 + r * p / f64::from(i);
    }
    let k = k as i32;
    if k > 1023 {
        p * pow2(1023) * pow2(k - 1023)
    } else if k < -1022 {
        p * pow2(-1022) * pow2(k + 1022)
    } else {
        p * pow2(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_published_outputs_for_seed_0() {
        let mut sm = SplitMix64::new(0);
        assert_eq!(sm.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(sm.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(sm.next_u64(), 0x06c4_5d18_8009_454f);
        assert_eq!(sm.next_u64(), 0xf88b_b8a8_724c_81ec);
    }

    #[test]
    fn xoshiro256starstar_matches_reference_vector() {
        // Reference implementation (xoshiro256starstar.c) from the state {1, 2, 3, 4}.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        let expected: [u64; 10] = [
            11520,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
            16172922978634559625,
            8476171486693032832,
            10595114339597558777,
            2904607092377533576,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    #[test]
    fn new_seeds_from_splitmix() {
        let mut a = Rng::new(0);
        let mut b = Rng::from_state([
            0xe220_a839_7b1d_cdaf,
            0x6e78_9e6a_a1b9_65f4,
            0x06c4_5d18_8009_454f,
            0xf88b_b8a8_724c_81ec,
        ]);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn same_seed_same_stream_and_different_seeds_differ() {
        let draws = |mut r: Rng| (0..64).map(|_| r.next_u64()).collect::<Vec<_>>();
        assert_eq!(draws(Rng::new(42)), draws(Rng::new(42)));
        assert_ne!(draws(Rng::new(42)), draws(Rng::new(43)));
        assert_eq!(draws(Rng::derive(7, 3)), draws(Rng::derive(7, 3)));
        assert_ne!(draws(Rng::derive(7, 3)), draws(Rng::derive(7, 4)));
        assert_ne!(draws(Rng::derive(7, 3)), draws(Rng::derive(8, 3)));
        assert_ne!(draws(Rng::derive(7, 0)), draws(Rng::new(7)));
    }

    #[test]
    fn f64_is_in_unit_interval_with_mean_one_half() {
        let mut rng = Rng::new(1);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = rng.f64();
            assert!((0.0..1.0).contains(&u), "{u}");
            sum += u;
        }
        let mean = sum / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    }

    #[test]
    fn range_f64_stays_in_range() {
        let mut rng = Rng::new(2);
        for _ in 0..10_000 {
            let x = rng.range_f64(-3.0, 5.0);
            assert!((-3.0..5.0).contains(&x), "{x}");
        }
        assert_eq!(rng.range_f64(2.5, 2.5), 2.5);
    }

    #[test]
    fn below_stays_below_n_and_covers_it() {
        let mut rng = Rng::new(3);
        for n in [1u64, 2, 3, 7, 10, 1000, u64::MAX / 3 + 7, u64::MAX] {
            for _ in 0..2000 {
                assert!(rng.below(n) < n);
            }
        }
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    #[should_panic]
    fn below_zero_panics() {
        Rng::new(0).below(0);
    }

    #[test]
    fn normal_has_mean_0_and_variance_1() {
        let mut rng = Rng::new(4);
        let n = 100_000;
        let (mut sum, mut sum2, mut sum3) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            assert!(z.is_finite());
            sum += z;
            sum2 += z * z;
            sum3 += z * z * z;
        }
        let n = n as f64;
        let mean = sum / n;
        let var = sum2 / n - mean * mean;
        assert!(mean.abs() < 0.015, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        assert!((sum3 / n).abs() < 0.05, "skewness {}", sum3 / n);
    }

    #[test]
    fn normal_is_deterministic() {
        let mut a = Rng::new(5);
        let mut b = Rng::new(5);
        for _ in 0..1000 {
            assert_eq!(a.normal().to_bits(), b.normal().to_bits());
        }
    }

    #[test]
    fn shuffle_is_a_permutation_and_deterministic() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        Rng::new(6).shuffle(&mut a);
        Rng::new(6).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        let mut empty: [u8; 0] = [];
        Rng::new(6).shuffle(&mut empty);
        let mut one = [9];
        Rng::new(6).shuffle(&mut one);
        assert_eq!(one, [9]);
    }

    #[test]
    fn ln_and_exp_agree_with_std() {
        let mut rng = Rng::new(7);
        for _ in 0..20_000 {
            let x = exp(rng.range_f64(-700.0, 700.0));
            let (got, want) = (ln(x), x.ln());
            assert!(
                (got - want).abs() <= 4e-16 * want.abs().max(1.0),
                "ln {x}: {got} vs {want}"
            );
            let y = rng.range_f64(-700.0, 700.0);
            let (got, want) = (exp(y), y.exp());
            assert!(
                (got - want).abs() <= 4e-16 * want,
                "exp {y}: {got} vs {want}"
            );
        }
        for x in [1e-310, 5e-324, 0.5, 1.0, 2.0, std::f64::consts::E, 1e300] {
            assert!(
                (ln(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1.0),
                "ln {x}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert!((exp(-740.0) - (-740.0f64).exp()).abs() <= 1e-320);
    }
}
