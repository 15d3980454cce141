//! suppliers.csv's chain columns: `origin_<stage>` (one ISO3 code or a mix
//! `CHN:0.7;MOZ:0.3` per stage) and `controlled_by` (one ISO3 code). Each offer's cells
//! are parsed where the supplier reader finds them and interned per piece as a key of
//! words (offers with the same chain share one), then merged over the file; the model
//! resolves the codes to its countries ([`resolve`]).

use rustc_hash::FxHashMap;

use super::files::SUPPLIERS;
use super::number::Domain;
use super::table::parse_number_cell;
use crate::error::{InputErrors, InputIssue};
use crate::model::stages::{Chain, Stages, NO_CHAIN};

/// Most stages a model may name.
pub const MAX_STAGES: usize = 7;
/// How far the fractions of a mix may sum from 1.
const SUM_TOLERANCE: f64 = 1e-9;
/// The key word of an absent `controlled_by`.
const NOBODY: u64 = u64::MAX;

/// The chain columns of a suppliers.csv header.
#[derive(Default)]
pub struct ChainColumns {
    /// The stage names, in column order.
    pub stages: Vec<String>,
}

impl ChainColumns {
    /// The stage named by header column `name` (`origin_<stage>`), checked: lower-case
    /// letters, digits and `_`, not `any`, at most [`MAX_STAGES`]; `None` for other
    /// columns.
    pub fn add(&mut self, name: &str, errors: &mut InputErrors) -> Option<usize> {
        let stage = name.strip_prefix("origin_")?;
        let valid = !stage.is_empty()
            && stage
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && stage != "any";
        if !valid {
            errors.push(InputIssue::line(SUPPLIERS, 1, format!(
                "column {name:?}: a stage name is lower-case letters, digits and _, and not `any`; expected e.g. origin_mine"
            )));
            return None;
        }
        if self.stages.len() == MAX_STAGES {
            errors.push(InputIssue::line(
                SUPPLIERS,
                1,
                format!("column {name:?}: at most {MAX_STAGES} stages (origin_ columns)"),
            ));
            return None;
        }
        self.stages.push(stage.to_string());
        Some(self.stages.len() - 1)
    }
}

/// The chains one piece of the file interned, and which line has which.
#[derive(Default)]
pub struct PieceChains {
    /// Each distinct chain's key.
    pub keys: Vec<Box<[u64]>>,
    ids: FxHashMap<Box<[u64]>, u32>,
    /// (line, index into `keys`) of each offer with a chain, in file order.
    pub lines: Vec<(u64, u32)>,
    /// (ISO3 slot, line) of each `controlled_by` code, first per piece.
    pub controllers: Vec<(usize, u64)>,
    /// (ISO3 slot, line) of each origin code, first per piece.
    pub origins: Vec<(usize, u64)>,
}

impl PieceChains {
    /// Parses the chain cells of the offer on `line` (`controlled_by`, then one cell per
    /// stage) and records its chain, if any cell is filled; problems go to `errors`.
    pub fn read(
        &mut self,
        controlled_by: &str,
        origins: &[(&str, &str)],
        line: u64,
        decimal_comma: bool,
        errors: &mut InputErrors,
    ) {
        if controlled_by.is_empty() && origins.iter().all(|(_, t)| t.is_empty()) {
            return;
        }
        let mut key = Vec::with_capacity(1 + 3 * origins.len());
        key.push(NOBODY);
        let mut ok = true;
        if !controlled_by.is_empty() {
            match super::parse_iso3(SUPPLIERS, line, "controlled_by", controlled_by, errors) {
                Some(code) => {
                    let slot = super::iso3_slot(&code);
                    key[0] = slot as u64;
                    self.controllers.push((slot, line));
                }
                None => ok = false,
            }
        }
        for &(column, text) in origins {
            match parse_mix(column, text, line, decimal_comma, errors) {
                Some(mix) => {
                    key.push(mix.len() as u64);
                    for (slot, f) in mix {
                        self.origins.push((slot, line));
                        key.extend([slot as u64, f.to_bits()]);
                    }
                }
                None => ok = false,
            }
        }
        if ok {
            let key = key.into_boxed_slice();
            let next = self.keys.len() as u32;
            let id = *self.ids.entry(key.clone()).or_insert(next);
            if id == next {
                self.keys.push(key);
            }
            self.lines.push((line, id));
        }
    }
}

/// One cell's mix, sorted by slot (empty for an empty cell); `None` with the problem in
/// `errors`.
fn parse_mix(
    column: &str,
    text: &str,
    line: u64,
    decimal_comma: bool,
    errors: &mut InputErrors,
) -> Option<Vec<(usize, f64)>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    let bad = |errors: &mut InputErrors, why: String| {
        errors.push(InputIssue::cell(SUPPLIERS, line, column, text, why));
        None
    };
    let mut mix: Vec<(usize, f64)> = Vec::new();
    for part in text.split(';').map(str::trim) {
        let (code, fraction) = match part.split_once(':') {
            Some((c, f)) => (c.trim(), Some(f.trim())),
            None => (part, None),
        };
        let code = super::parse_iso3(SUPPLIERS, line, column, code, errors)?;
        let f = match fraction {
            None => 1.0,
            Some(f) => match parse_number_cell(f, decimal_comma, Domain::NonNegative) {
                Ok(v) if v > 0.0 && v <= 1.0 => v,
                _ => {
                    return bad(errors, format!(
                        "has fraction {f:?}; expected a country mix like CHN:0.7;MOZ:0.3 with each fraction in (0, 1]"
                    ))
                }
            },
        };
        let slot = super::iso3_slot(&code);
        if mix.iter().any(|&(s, _)| s == slot) {
            return bad(
                errors,
                format!(
                    "names {} twice; expected each country once in a mix",
                    super::iso3_str(&code)
                ),
            );
        }
        mix.push((slot, f));
    }
    let sum: f64 = mix.iter().map(|&(_, f)| f).sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return bad(
            errors,
            format!(
                "has fractions summing to {}; expected a country mix whose fractions sum to 1",
                crate::write::numbers::plain(sum)
            ),
        );
    }
    mix.sort_by_key(|&(s, _)| s);
    Some(mix)
}

/// The file's chains: the pieces' keys merged, each line with its file-wide chain.
#[derive(Default)]
pub struct FileChains {
    /// The stage names, in column order.
    pub stages: Vec<String>,
    /// Each distinct chain's key.
    pub keys: Vec<Box<[u64]>>,
    /// (line, index into `keys`) of each offer with a chain.
    pub lines: Vec<(u64, u32)>,
    /// (ISO3 slot, first line) of each `controlled_by` code.
    pub controllers: Vec<(usize, u64)>,
    /// (ISO3 slot, first line) of each origin code.
    pub origins: Vec<(usize, u64)>,
}

impl FileChains {
    /// Merges the pieces' chains, in file order.
    pub fn merge(stages: Vec<String>, pieces: Vec<PieceChains>) -> FileChains {
        let mut out = FileChains {
            stages,
            ..FileChains::default()
        };
        let mut ids: FxHashMap<Box<[u64]>, u32> = FxHashMap::default();
        let mut seen_controller = FxHashMap::default();
        let mut seen_origin = FxHashMap::default();
        for piece in pieces {
            let global: Vec<u32> = piece
                .keys
                .into_iter()
                .map(|key| {
                    let next = out.keys.len() as u32;
                    let id = *ids.entry(key.clone()).or_insert(next);
                    if id == next {
                        out.keys.push(key);
                    }
                    id
                })
                .collect();
            out.lines
                .extend(piece.lines.iter().map(|&(l, id)| (l, global[id as usize])));
            for (slot, line) in piece.controllers {
                seen_controller.entry(slot).or_insert(line);
            }
            for (slot, line) in piece.origins {
                seen_origin.entry(slot).or_insert(line);
            }
        }
        out.controllers = seen_controller.into_iter().collect();
        out.controllers.sort_by_key(|&(s, l)| (l, s));
        out.origins = seen_origin.into_iter().collect();
        out.origins.sort_by_key(|&(s, l)| (l, s));
        out
    }
}

/// The model's [`Stages`] from the file's chains, ISO3 slots mapped to country indices by
/// `country_of_slot`.
pub fn resolve(chains: FileChains, country_of_slot: &[usize]) -> Stages {
    let stages = chains.stages.len();
    let decode = |key: &[u64]| {
        let controlled_by = (key[0] != NOBODY).then(|| country_of_slot[key[0] as usize]);
        let mut origins = Vec::with_capacity(stages);
        let mut at = 1;
        for _ in 0..stages {
            let n = key[at] as usize;
            let mix: Vec<(usize, f64)> = (0..n)
                .map(|k| {
                    let (slot, bits) = (key[at + 1 + 2 * k], key[at + 2 + 2 * k]);
                    (country_of_slot[slot as usize], f64::from_bits(bits))
                })
                .collect();
            at += 1 + 2 * n;
            origins.push(mix);
        }
        Chain {
            origins,
            controlled_by,
        }
    };
    let last = chains.lines.iter().map(|&(l, _)| l).max().unwrap_or(0);
    let mut chain_by_line = if chains.lines.is_empty() {
        Vec::new()
    } else {
        vec![NO_CHAIN; last as usize + 1]
    };
    for &(line, id) in &chains.lines {
        chain_by_line[line as usize] = id;
    }
    Stages {
        names: chains.stages.iter().map(|s| s.as_str().into()).collect(),
        chains: chains.keys.iter().map(|k| decode(k)).collect(),
        chain_by_line,
    }
}
