//! The memory guard: a model that would not fit in the available memory is refused,
//! with the estimate, before any solver runs.

use crate::error::{Error, Result};
use crate::formulate::Block;
use crate::model::Model;

/// Bytes a solver needs per variable or nonzero of a block (good_lp's maps, the
/// solver's own copy, factorization), measured on generated models with margin.
const BYTES_PER_ENTRY: u64 = 400;

/// Bytes per variable or nonzero of a continuous block solved by country aggregation:
/// the block's own LP and its cost curves (the restricted problems the solver sees have
/// a few thousand entries).
const BYTES_PER_ENTRY_AGGREGATED: u64 = 40;

/// Bytes the model, plan and reports take per offer: peak resident memory was 604 MB at
/// 1M offers x 10 minerals with aggregation (everything included), so this has a margin
/// of 1.7x.
const BYTES_PER_OFFER: u64 = 1_024;

/// Refuses, before any solver runs, a model whose estimated memory exceeds what the
/// machine has available (Linux: MemAvailable), with the estimate in the message.
pub(super) fn check_memory(
    model: &Model,
    blocks: &[(Block, f64)],
    threads: usize,
    aggregate: bool,
) -> Result<()> {
    let mut sizes: Vec<u64> = blocks
        .iter()
        .map(|(b, _)| {
            let nnz: usize = b.lp.rows.iter().map(|r| r.terms.len()).sum();
            let per_entry = if aggregate && !b.lp.has_integers() {
                BYTES_PER_ENTRY_AGGREGATED
            } else {
                BYTES_PER_ENTRY
            };
            (b.lp.vars.len() + b.lp.rows.len() + nnz) as u64 * per_entry
        })
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let parallel = match threads {
        0 => rayon::current_num_threads(),
        n => n,
    }
    .max(1);
    let estimate =
        model.offers.len() as u64 * BYTES_PER_OFFER + sizes.iter().take(parallel).sum::<u64>();
    if let Some(available) = available_memory() {
        if estimate > available {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            return Err(Error::Usage(format!(
                "the model needs an estimated {:.1} GiB to solve ({} offers, largest block {} entries), more than the {:.1} GiB available; solve fewer minerals at a time or use --threads 1",
                gib(estimate),
                model.offers.len(),
                blocks
                    .iter()
                    .map(|(b, _)| b.lp.rows.iter().map(|r| r.terms.len()).sum::<usize>()
                        + b.lp.vars.len()
                        + b.lp.rows.len())
                    .max()
                    .unwrap_or(0),
                gib(available)
            )));
        }
    }
    Ok(())
}

/// Available memory in bytes, where the platform tells.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
