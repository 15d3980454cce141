//! Where `scenarios`' samples are drawn: here, chunk by chunk in parallel, or spread over
//! processes by the installed [`crate::analysis::spread::Spread`] (job
//! [`Job::Sampling`], MPI).
//!
//! The hub sends everything a chunk needs (the seed, the number of samples and the
//! latent variables: countries, thresholds and the correlation factor, bit for bit), so
//! a rank reads nothing. Chunk k is drawn from its own stream `Rng::derive(seed, k)`
//! wherever it runs, and a rank sends back its block's pattern counts, which the hub
//! adds to its own: integers, so the patterns and counts are those of one process.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use nalgebra::DMatrix;

use super::{merge, Draw, Patterns, SamplingOptions, CHUNK_SAMPLES};
use crate::analysis::spread::{installed, Answer, Job};

/// Every sample's pattern counted: here, or through the installed spread.
pub(super) fn count_patterns(
    draw: &Draw,
    opts: &SamplingOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Patterns {
    let (seed, samples) = (opts.seed, opts.samples.get());
    let chunks = samples.div_ceil(CHUNK_SAMPLES);
    let Some(spread) = installed() else {
        return draw.count_chunks(seed, samples, 0..chunks, progress);
    };
    let here = AtomicU64::new(0);
    let counted = |n: u64| {
        here.fetch_add(n, Ordering::Relaxed);
        progress(n);
    };
    let payload = encode_draw(draw, seed, samples);
    let buffer = spread.gather(Job::Sampling, &payload, chunks as usize, &|range| {
        let range = range.start as u64..range.end as u64;
        encode_patterns(&draw.count_chunks(seed, samples, range, &counted))
    });
    progress(samples - here.load(Ordering::Relaxed));
    decode_patterns(&buffer)
}

/// A `u64` as two exact `f64`s (high and low 32 bits).
fn split(v: u64) -> [f64; 2] {
    [(v >> 32) as f64, (v & 0xffff_ffff) as f64]
}

/// The `u64` [`split`] made.
fn join(hi: f64, lo: f64) -> u64 {
    ((hi as u64) << 32) | lo as u64
}

/// What a rank needs to draw chunks: [seed (2 numbers), samples, correlated countries d,
/// independent ones, countries always disrupted, their indices in that order, the
/// thresholds, the d × d factor by columns].
fn encode_draw(draw: &Draw, seed: u64, samples: u64) -> Vec<f64> {
    let d = draw.correlated.len();
    let mut out = Vec::with_capacity(6 + 2 * (d + draw.independent.len()) + d * d);
    out.extend(split(seed));
    out.push(samples as f64);
    for list in [&draw.correlated, &draw.independent, &draw.always] {
        out.push(list.len() as f64);
    }
    for list in [&draw.correlated, &draw.independent, &draw.always] {
        out.extend(list.iter().map(|&c| c as f64));
    }
    out.extend_from_slice(&draw.thresholds);
    out.extend_from_slice(draw.factor.as_slice());
    out
}

/// The draw, seed and samples of [`encode_draw`]; `None` when `p` is not one.
fn decode_draw(p: &[f64]) -> Option<(Draw, u64, u64)> {
    let (head, rest) = p.split_at_checked(6)?;
    let seed = join(head[0], head[1]);
    let [d, n, a] = [head[3], head[4], head[5]].map(|v| v as usize);
    let (indices, rest) = rest.split_at_checked(d + n + a)?;
    let (thresholds, factor) = rest.split_at_checked(d + n)?;
    if factor.len() != d * d {
        return None;
    }
    let list = |r: Range<usize>| indices[r].iter().map(|&c| c as usize).collect();
    let draw = Draw {
        correlated: list(0..d),
        independent: list(d..d + n),
        always: list(d + n..d + n + a),
        thresholds: thresholds.to_vec(),
        factor: DMatrix::from_column_slice(d, d, factor),
    };
    Some((draw, seed, head[2] as u64))
}

/// Pattern counts as numbers: [countries, their indices, samples] per pattern.
fn encode_patterns(counts: &Patterns) -> Vec<f64> {
    let mut out = Vec::new();
    for (pattern, &n) in counts {
        out.push(pattern.len() as f64);
        out.extend(pattern.iter().map(|&c| c as f64));
        out.push(n as f64);
    }
    out
}

/// The counts of every pattern in `buffer` (the ranks' [`encode_patterns`] one after
/// another), added up.
fn decode_patterns(buffer: &[f64]) -> Patterns {
    let mut counts = Patterns::new();
    let mut rest = buffer;
    while let Some((&len, tail)) = rest.split_first() {
        let Some((pattern, tail)) = tail.split_at_checked(len as usize) else {
            break;
        };
        let Some((&n, tail)) = tail.split_first() else {
            break;
        };
        let pattern: Vec<usize> = pattern.iter().map(|&c| c as usize).collect();
        counts = merge(counts, Patterns::from([(pattern, n as u64)]));
        rest = tail;
    }
    counts
}

/// The sampling side of a process that only draws chunks (an MPI rank other than the
/// hub): everything comes with the request.
pub struct Sampler;

impl Answer for Sampler {
    fn job(&self) -> Job {
        Job::Sampling
    }

    /// The pattern counts of chunks `range` of the draw `payload` describes; `None` when
    /// it is not one or its chunks are not `count`.
    fn answer(&self, payload: &[f64], count: usize, range: Range<usize>) -> Option<Vec<f64>> {
        let (draw, seed, samples) = decode_draw(payload)?;
        let chunks = samples.div_ceil(CHUNK_SAMPLES);
        if chunks != count as u64 || range.end > count {
            return None;
        }
        let range = range.start as u64..range.end as u64;
        Some(encode_patterns(&draw.count_chunks(
            seed,
            samples,
            range,
            &|_| {},
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::spread::block;

    /// A draw with correlated, independent and always-disrupted countries.
    fn draw() -> Draw {
        let named = [1, 3, 4];
        let block = DMatrix::from_row_slice(3, 3, &[1.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 1.0]);
        Draw::new(&[0.1, 0.3, 0.0, 0.25, 0.5, 1.0, 0.05], &named, &block)
    }

    #[test]
    fn a_draw_survives_the_request_bit_for_bit() {
        let d = draw();
        let seed = u64::MAX - 12_345;
        let (back, s, n) = decode_draw(&encode_draw(&d, seed, 9_999_999)).unwrap();
        assert_eq!((s, n), (seed, 9_999_999));
        assert_eq!(back.correlated, d.correlated);
        assert_eq!(back.independent, d.independent);
        assert_eq!(back.always, d.always);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.thresholds), bits(&d.thresholds));
        assert_eq!(bits(back.factor.as_slice()), bits(d.factor.as_slice()));
        assert!(decode_draw(&[1.0, 2.0]).is_none());
    }

    /// Answering blocks of chunks as K ranks would and adding their counts gives the
    /// counts of one process, for K = 1 to 5.
    #[test]
    fn blocks_of_chunks_add_up_to_the_lone_count() {
        let d = draw();
        let (seed, samples) = (7, 5 * CHUNK_SAMPLES + 123);
        let chunks = samples.div_ceil(CHUNK_SAMPLES);
        let alone = d.count_chunks(seed, samples, 0..chunks, &|_| {});
        assert!(alone.len() > 5);
        let payload = encode_draw(&d, seed, samples);
        for ranks in 1..=5 {
            let buffer: Vec<f64> = (0..ranks)
                .flat_map(|r| {
                    let range = block(chunks as usize, ranks, r);
                    Sampler.answer(&payload, chunks as usize, range).unwrap()
                })
                .collect();
            assert_eq!(decode_patterns(&buffer), alone, "{ranks} ranks");
        }
        assert!(Sampler.answer(&payload, 2, 0..1).is_none());
    }
}
