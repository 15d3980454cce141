//! Supply chains in stages: the stages a model names (suppliers.csv's `origin_<stage>`
//! columns, in column order), each offer's country mix per stage and the state
//! controlling its supplier (`controlled_by`). Offers without any of these cells have
//! no chain: every stage is their shipping country.

use crate::model::name::Name;
use crate::model::Offer;

/// No chain: every stage is the offer's shipping country.
pub const NO_CHAIN: u32 = u32::MAX;

/// The country mix of one stage: (country index, fraction), fractions summing to 1, in
/// country order; empty means the offer's shipping country.
pub type Mix = Vec<(usize, f64)>;

/// One distinct chain (many offers share one).
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The mix of each stage, in the order of [`Stages::names`].
    pub origins: Vec<Mix>,
    /// The country controlling the supplier entity, if given.
    pub controlled_by: Option<usize>,
}

/// The stages of a model and its offers' chains (empty for a model without them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stages {
    /// Stage names (lower case), in the order of their columns: the chain's order.
    pub names: Vec<Name>,
    /// The distinct chains.
    pub chains: Vec<Chain>,
    /// Per suppliers.csv line: the index of its offer's chain in `chains`, or
    /// [`NO_CHAIN`]; lines past the end have none. Indexed by line so that subsets and
    /// reorderings of the offers keep their chains.
    pub chain_by_line: Vec<u32>,
}

/// The one-country mix of a shipping country.
const WHOLE: f64 = 1.0;

impl Stages {
    /// True when the model names stages or controlling states.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.chains.is_empty()
    }

    /// The index of stage `name`, if the model has it.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.as_str() == name)
    }

    /// The stage a command-line flag names (any case; `None` for no name), or a usage
    /// error naming `flag` and the model's stages.
    pub fn by_flag(&self, flag: &str, name: Option<&str>) -> crate::error::Result<Option<usize>> {
        let Some(name) = name else {
            return Ok(None);
        };
        if let Some(s) = self.index(&name.to_lowercase()) {
            return Ok(Some(s));
        }
        let expected = match self.names.is_empty() {
            true => format!(
                "is not a stage of this model (suppliers.csv has no origin_<stage> columns); expected no {flag}"
            ),
            false => format!(
                "is not a stage of this model; expected one of: {}",
                self.names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        Err(crate::error::Error::Usage(format!(
            "{flag}: {name:?} {expected}"
        )))
    }

    /// The chain of `offer`, if it has one.
    pub fn chain(&self, offer: &Offer) -> Option<&Chain> {
        let id = *self.chain_by_line.get(usize::try_from(offer.line).ok()?)?;
        (id != NO_CHAIN).then(|| &self.chains[id as usize])
    }

    /// The chain id of `offer` ([`NO_CHAIN`] without one): offers with the same shipping
    /// country and chain id are interchangeable in every rule.
    pub fn chain_id(&self, offer: &Offer) -> u32 {
        usize::try_from(offer.line)
            .ok()
            .and_then(|l| self.chain_by_line.get(l).copied())
            .unwrap_or(NO_CHAIN)
    }

    /// The state controlling `offer`'s supplier, if given.
    pub fn controlled_by(&self, offer: &Offer) -> Option<usize> {
        self.chain(offer)?.controlled_by
    }

    /// The (country, fraction) pairs of `offer` at `stage` (`None`: the shipping country).
    pub fn mix<'s>(&'s self, offer: &Offer, stage: Option<usize>) -> MixIter<'s> {
        let pairs = match (stage, self.chain(offer)) {
            (Some(s), Some(chain)) if !chain.origins[s].is_empty() => &chain.origins[s][..],
            _ => &[],
        };
        MixIter {
            pairs,
            whole: pairs.is_empty().then_some(offer.country),
        }
    }

    /// f_isc: the fraction of `offer` passing through `country` at `stage`.
    pub fn fraction(&self, offer: &Offer, stage: Option<usize>, country: usize) -> f64 {
        self.mix(offer, stage)
            .filter(|&(c, _)| c == country)
            .map(|(_, f)| f)
            .sum()
    }

    /// The stage's name as written in reports: "" for the shipping country.
    pub fn label(&self, stage: Option<usize>) -> &str {
        stage.map_or("", |s| &self.names[s])
    }
}

/// The pairs of [`Stages::mix`].
pub struct MixIter<'s> {
    pairs: &'s [(usize, f64)],
    whole: Option<usize>,
}

impl Iterator for MixIter<'_> {
    type Item = (usize, f64);
    fn next(&mut self) -> Option<(usize, f64)> {
        if let Some(c) = self.whole.take() {
            return Some((c, WHOLE));
        }
        let (&first, rest) = self.pairs.split_first()?;
        self.pairs = rest;
        Some(first)
    }
}
