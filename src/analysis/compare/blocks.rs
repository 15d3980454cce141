//! Which (case, mineral) blocks `compare` solves, which it takes from the model's own
//! optimum, and how each is measured.
//!
//! The model's own policy is solved first (its minerals in parallel). A case's mineral
//! then keeps that optimum, without a solve, when its rules differ from the model's
//! only by rows that cannot change it: rows added that the optimal plan already obeys
//! (the independent plan checker says so, binaries' minimum lots included), since a plan
//! optimal over a larger set and inside a smaller one is optimal there; and rows removed
//! that have slack at the plan, when the block is continuous, since a convex problem
//! keeps its optimum when constraints inactive there are removed (`policy`'s rule).
//! Every other distinct (rules, mineral) block is solved once, all in parallel.
//!
//! Minerals joined by bundles or lot discounts are one part (`model::parts`): sorted,
//! kept and solved together, a part of several minerals (or with bundles) never kept
//! where rows are removed, since its problem has binaries.

use super::CaseStatus;
use crate::analysis::policy_cost::{run_tasks, task_options};
use crate::error::{Error, Result};
use crate::formulate::formulate;
use crate::input::{CaseKind, CaseSpec};
use crate::model::parts::{part_model, parts};
use crate::model::{Model, PolicyRow};
use crate::plan::{solve_plan, Metrics, MineralOutcome, RowOutcome};
use crate::policy::rows::{expand, MineralPlan};
use crate::solve::verify::verify_mineral;
use crate::solve::{Deadline, SolveOptions, Status};
use crate::tolerance::{FEASIBILITY, SLACK_FOR_SKIP};
use crate::values::Seconds;

/// One case's mineral, measured.
#[derive(Debug, Clone)]
pub(super) struct Measured {
    /// How it came out.
    pub status: CaseStatus,
    /// Its cost with the penalties of the soft rows its plan breaks (meaningful with a
    /// plan).
    pub cost: f64,
    /// Those penalties.
    pub penalties: f64,
    /// The plan per offer of the mineral (empty without one).
    pub quantities: Vec<f64>,
    /// The plan's figures.
    pub metrics: Option<Metrics>,
    /// Rows at their bound, in words.
    pub binding: Vec<String>,
    /// For a fixed plan: rows past their bound, in words.
    pub broken: Vec<String>,
    /// For a failed solve: what the solver said.
    pub failure: Option<String>,
}

/// What becomes of one (case, mineral).
#[derive(Clone, Copy)]
enum Source {
    /// A fixed plan's mineral: measured as written.
    Plan,
    /// The model's own optimum, as solved.
    Reference,
    /// The model's own optimum, its rows measured under the case's rules.
    Kept,
    /// Mineral `.1` (its place in the block) of block `.0` of the blocks to solve.
    Block(usize, usize),
}

/// Every case's minerals, in case and model order (see the module docs).
pub(super) fn measure_cases(
    model: &Model,
    cases: &[CaseSpec],
    opts: &SolveOptions,
) -> Result<Vec<Vec<Measured>>> {
    let deadline = Deadline::after(opts.time_limit_secs());
    let case_models: Vec<Option<Model>> = cases
        .iter()
        .map(|c| match &c.what {
            CaseKind::Policy(rows) => Some(Model {
                policy: rows.clone(),
                ..model.clone()
            }),
            CaseKind::Plan(_) => None,
        })
        .collect();
    let reference = if case_models.iter().any(Option::is_some) {
        solve_reference(model, opts, deadline)?
    } else {
        Vec::new()
    };
    let mut sorter = Sorter::new(model, &reference);
    let sources = case_models
        .iter()
        .map(|c| sorter.sources(c.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    let solved_blocks = solve_blocks(&sorter.blocks, opts, deadline)?;
    let measure = |k: usize, m: usize| match (&sources[k][m], &cases[k].what, &case_models[k]) {
        (Source::Plan, CaseKind::Plan(x), _) => {
            evaluated(model, m, &x[model.minerals[m].offers.clone()])
        }
        (Source::Reference, _, _) => reference[m].clone(),
        (Source::Kept, _, Some(case_model)) => kept(case_model, m, &reference[m]),
        (Source::Block(b, k), _, _) => solved_blocks[*b][*k].clone(),
        (Source::Plan | Source::Kept, _, _) => {
            unreachable!("a plan case has plan sources, a rule-set case a model")
        }
    };
    Ok((0..cases.len())
        .map(|k| (0..model.minerals.len()).map(|m| measure(k, m)).collect())
        .collect())
}

/// The model's own optimum, mineral by mineral (minerals in parallel).
fn solve_reference(
    model: &Model,
    opts: &SolveOptions,
    deadline: Deadline,
) -> Result<Vec<Measured>> {
    let opts = SolveOptions {
        time_limit: deadline.remaining().map(Seconds::literal),
        ..opts.clone()
    };
    let plan = solve_plan(model, &opts)?;
    Ok(plan
        .minerals
        .into_iter()
        .map(|o| solved(model, o))
        .collect())
}

/// Every block in parallel (a part each), its minerals measured in part order.
fn solve_blocks(
    blocks: &[Model],
    opts: &SolveOptions,
    deadline: Deadline,
) -> Result<Vec<Vec<Measured>>> {
    run_tasks(blocks, opts.thread_count(), |block| {
        let plan = solve_plan(block, &task_options(opts, deadline))?;
        if plan.minerals.len() != block.minerals.len() {
            return Err(Error::Solver("a block solved without its minerals".into()));
        }
        Ok(plan
            .minerals
            .into_iter()
            .map(|o| solved(block, o))
            .collect())
    })?
    .into_iter()
    .collect()
}

/// Sorts (case, mineral) pairs into what they need, part by part, collecting the
/// distinct blocks to solve.
struct Sorter<'a> {
    /// The model's own optimum per mineral.
    reference: &'a [Measured],
    /// The model's parts (minerals joined by bundles or lot discounts together).
    parts: Vec<Vec<usize>>,
    /// Each part under the model's own rules.
    own: Vec<Model>,
    /// Per part: whether its own blocks have no binaries, once asked.
    continuous: Vec<Option<bool>>,
    /// The distinct blocks to solve.
    blocks: Vec<Model>,
}

impl<'a> Sorter<'a> {
    fn new(model: &Model, reference: &'a [Measured]) -> Self {
        let parts = parts(model);
        Sorter {
            reference,
            own: parts.iter().map(|p| part_model(model, p)).collect(),
            continuous: vec![None; parts.len()],
            parts,
            blocks: Vec::new(),
        }
    }

    /// What each mineral of a case needs (`case_model`: its rules; `None` for a plan).
    fn sources(&mut self, case_model: Option<&Model>) -> Result<Vec<Source>> {
        let n = self.parts.iter().map(Vec::len).sum();
        let Some(case_model) = case_model else {
            return Ok((0..n).map(|_| Source::Plan).collect());
        };
        let mut out: Vec<Option<Source>> = (0..n).map(|_| None).collect();
        for p in 0..self.parts.len() {
            let source = self.part_source(p, case_model)?;
            for (k, &m) in self.parts[p].iter().enumerate() {
                out[m] = Some(match source {
                    Source::Block(b, _) => Source::Block(b, k),
                    Source::Plan => Source::Plan,
                    Source::Reference => Source::Reference,
                    Source::Kept => Source::Kept,
                });
            }
        }
        out.into_iter()
            .map(|s| s.ok_or_else(|| Error::Solver("a mineral in no part".into())))
            .collect()
    }

    /// What part `p` of a case needs (a block's mineral place left 0).
    fn part_source(&mut self, p: usize, case_model: &Model) -> Result<Source> {
        let block = part_model(case_model, &self.parts[p]);
        let reference: Vec<&Measured> = self.parts[p].iter().map(|&m| &self.reference[m]).collect();
        let keep = Keep {
            own: &self.own[p],
            block: &block,
            reference: &reference,
        };
        Ok(if same_rules(&self.own[p].policy, &block.policy) {
            Source::Reference
        } else if keep.holds(&mut self.continuous[p])? {
            Source::Kept
        } else {
            Source::Block(self.block_index(block), 0)
        })
    }

    /// The index of `block` among the blocks to solve (added when new).
    fn block_index(&mut self, block: Model) -> usize {
        let same = self.blocks.iter().position(|b| {
            same_rules(&b.policy, &block.policy)
                && b.minerals.len() == block.minerals.len()
                && b.minerals
                    .iter()
                    .zip(&block.minerals)
                    .all(|(x, y)| x.name == y.name)
        });
        same.unwrap_or_else(|| {
            self.blocks.push(block);
            self.blocks.len() - 1
        })
    }
}

/// Whether a case's part keeps the model's own optimum (see the module docs).
struct Keep<'a> {
    /// The part under the model's own rules.
    own: &'a Model,
    /// The part under the case's rules.
    block: &'a Model,
    /// The model's own optimum of each mineral of the part.
    reference: &'a [&'a Measured],
}

impl Keep<'_> {
    /// True when the case's optimum is the model's own (`continuous` caches whether the
    /// part's own blocks have no binaries).
    fn holds(&self, continuous: &mut Option<bool>) -> Result<bool> {
        if self
            .reference
            .iter()
            .any(|r| r.status != CaseStatus::Optimal)
        {
            return Ok(false);
        }
        let (removed, added) = difference(&self.own.policy, &self.block.policy);
        if !removed.is_empty() {
            let convex = match *continuous {
                Some(c) => c,
                None => {
                    let c = self.own.minerals.len() == 1
                        && self.own.coupling.is_empty()
                        && !formulate(self.own, 0)?.lp.has_integers();
                    *continuous = Some(c);
                    c
                }
            };
            if !convex || !self.removed_slack(&removed) {
                return Ok(false);
            }
        }
        if added == 0 {
            return Ok(true);
        }
        // Obeyed: hard rows by the plan checker, soft rows added unbroken (the plan's
        // penalties unchanged; a case's penalties are never below its own).
        Ok(self.reference.iter().enumerate().all(|(k, r)| {
            let x = &r.quantities;
            if soft_penalties(self.block, k, x) > r.penalties {
                return false;
            }
            let unmet = (self.block.minerals[k].demand - x.iter().sum::<f64>()).max(0.0);
            let instances = expand(self.block, k);
            verify_mineral(self.block, k, x, unmet, &instances).is_ok()
        }))
    }

    /// True when every removed row (indices into the own policy) has slack at the
    /// reference plan, in every mineral of the part.
    fn removed_slack(&self, removed: &[usize]) -> bool {
        self.reference.iter().enumerate().all(|(k, r)| {
            let plan = MineralPlan {
                model: self.own,
                mineral: k,
                quantities: &r.quantities,
            };
            expand(self.own, k)
                .into_iter()
                .filter(|inst| removed.contains(&inst.policy))
                .all(|inst| {
                    !inst.kind.is_exclusion() && inst.slack(plan.value(&inst)) > SLACK_FOR_SKIP
                })
        })
    }
}

/// The rows of `own` that `case` lacks (their indices in `own`) and how many rows
/// `case` adds, matching equal rows one to one.
fn difference(own: &[PolicyRow], case: &[PolicyRow]) -> (Vec<usize>, usize) {
    let mut matched = vec![false; case.len()];
    let mut removed = Vec::new();
    for (p, row) in own.iter().enumerate() {
        match (0..case.len())
            .find(|&q| !matched[q] && same_rules(std::slice::from_ref(row), &case[q..=q]))
        {
            Some(q) => matched[q] = true,
            None => removed.push(p),
        }
    }
    (removed, matched.iter().filter(|&&m| !m).count())
}

/// The model's own optimum of mineral `m` under the rules of `case_model` (which keeps
/// it): the same plan and cost, its rows and figures measured under the case's rules.
fn kept(case_model: &Model, m: usize, reference: &Measured) -> Measured {
    let (rows, metrics) = crate::plan::evaluate(case_model, m, &reference.quantities);
    let penalties = soft_penalties(case_model, m, &reference.quantities);
    Measured {
        binding: binding_words(case_model, &rows),
        metrics: Some(metrics),
        cost: reference.cost - reference.penalties + penalties,
        penalties,
        ..reference.clone()
    }
}

/// True when two rule lists are the same rules (their lines aside).
fn same_rules(a: &[PolicyRow], b: &[PolicyRow]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind && x.mineral == y.mineral && x.target == y.target && x.bound == y.bound
        })
}

/// A solved mineral of `model` (the whole model, or a one-mineral block), measured; a
/// failed solve is a row saying so.
fn solved(model: &Model, o: MineralOutcome) -> Measured {
    let penalties = match o.has_plan() {
        true => soft_penalties(model, o.mineral, &o.quantities),
        false => 0.0,
    };
    let status = match &o.status {
        Status::Optimal => CaseStatus::Optimal,
        Status::Feasible => CaseStatus::Stopped,
        Status::Infeasible => CaseStatus::Infeasible,
        Status::LimitNoSolution { .. } => CaseStatus::StoppedNoPlan,
        Status::Failed { .. } => CaseStatus::Failed,
    };
    let failure = match &o.status {
        Status::Failed { message, .. } => Some(message.clone()),
        Status::Optimal
        | Status::Feasible
        | Status::Infeasible
        | Status::LimitNoSolution { .. } => None,
    };
    Measured {
        status,
        cost: o.cost + penalties,
        penalties,
        binding: binding_words(model, &o.rows),
        broken: Vec::new(),
        failure,
        quantities: o.quantities,
        metrics: o.metrics,
    }
}

/// Mineral `m` of a fixed plan (`x` its quantities), measured as written: cost
/// Σ landed · x + fixed costs of the offers used + unmet_penalty · unmet.
fn evaluated(model: &Model, m: usize, x: &[f64]) -> Measured {
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    let purchase: f64 = x
        .iter()
        .zip(offers)
        .filter(|(&q, _)| q > 0.0)
        .map(|(&q, o)| o.purchase_cost(q) + o.fixed_cost)
        .sum();
    let unmet = (mineral.demand - x.iter().sum::<f64>()).max(0.0);
    let (rows, metrics) = crate::plan::evaluate(model, m, x);
    let mut broken = broken_words(model, &rows);
    let penalties = soft_penalties(model, m, x);
    if mineral.unmet_penalty.is_none() && unmet > FEASIBILITY * mineral.demand {
        broken.push(format!(
            "the demand of {} ({} unmet, and no unmet_penalty)",
            crate::write::numbers::plain(mineral.demand),
            crate::write::numbers::plain(unmet)
        ));
    }
    Measured {
        status: CaseStatus::Evaluated,
        cost: purchase
            + mineral.unmet_penalty.unwrap_or(0.0) * unmet
            + mineral.holding_cost(x.iter().sum())
            + penalties,
        penalties,
        quantities: x.to_vec(),
        metrics: Some(metrics),
        binding: Vec::new(),
        broken,
        failure: None,
    }
}

/// The penalties of the soft rows mineral `m`'s plan `x` breaks (Σ points past the
/// bound · penalty per point), as `solve`'s objective counts them.
fn soft_penalties(model: &Model, m: usize, x: &[f64]) -> f64 {
    if !model.has_soft_rows() {
        return 0.0;
    }
    let plan = MineralPlan {
        model,
        mineral: m,
        quantities: x,
    };
    expand(model, m)
        .iter()
        .filter(|inst| crate::formulate::is_elastic(model, inst))
        .map(|inst| {
            let points = crate::plan::violation_points(inst, plan.value(inst));
            points * model.policy[inst.policy].soft.cost_per_point()
        })
        .sum()
}

/// The rows at their bound, in words: "the 50% cap on CHN".
fn binding_words(model: &Model, rows: &[RowOutcome]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.binding)
        .map(|r| {
            let inst = &r.instance;
            inst.kind
                .rule_with_bound(inst.target_label(model), inst.bound)
        })
        .collect()
}

/// The rows past their bound, in words with the plan's value: "the 50% cap on CHN (62%)",
/// "the exclusion of CHN (80% of demand bought)".
fn broken_words(model: &Model, rows: &[RowOutcome]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.instance.slack(r.value) < -FEASIBILITY)
        .map(|r| {
            let inst = &r.instance;
            // An exclusion has no bound to compare with: say how much was bought.
            let value = if inst.kind.is_exclusion() {
                format!("{} of demand bought", crate::policy::text::percent(r.value))
            } else {
                inst.kind.bound_text(r.value)
            };
            format!(
                "{} ({value})",
                inst.kind
                    .rule_with_bound(inst.target_label(model), inst.bound)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse, ModelFiles};
    use crate::model::{MineralScope, Target};

    /// ga: 100 from A (AUS, 10), B (CHN, 8), C (CAN, 12), each 100 at most; CHN capped
    /// at 60% (binding: the optimum is 60 B + 40 A), AUS at 90% (slack).
    fn model() -> Model {
        let files = ModelFiles::from_memory(&[
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost,capacity\nA,ga,AUS,10,100\nB,ga,CHN,8,100\nC,ga,CAN,12,100\n",
            ),
            ("demand.csv", b"mineral,quantity\nga,100\n"),
            (
                "constraints.csv",
                b"constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.6\nmax_country_share,ga,AUS,0.9\n",
            ),
        ]);
        parse(&files).unwrap().model
    }

    fn with_policy(model: &Model, policy: Vec<PolicyRow>) -> Model {
        Model {
            policy,
            ..model.clone()
        }
    }

    fn max_suppliers(n: f64) -> PolicyRow {
        PolicyRow {
            kind: crate::policy::MAX_SUPPLIERS,
            mineral: MineralScope::Each,
            target: Target::None,
            bound: n,
            line: 0,
            soft: crate::model::Soft::default(),
            stage: crate::model::StageScope::Shipping,
        }
    }

    #[test]
    fn a_case_keeps_the_own_optimum_only_where_it_must_stay_optimal() {
        let model = model();
        let opts = SolveOptions::default();
        let reference = solve_reference(&model, &opts, Deadline::after(None)).unwrap();
        assert_eq!(reference[0].cost, 60.0 * 8.0 + 40.0 * 10.0);
        let mut sorter = Sorter::new(&model, &reference);
        let mut source = |policy: Vec<PolicyRow>| {
            let case = with_policy(&model, policy);
            sorter.sources(Some(&case)).unwrap().remove(0)
        };
        let (chn, aus) = (model.policy[0].clone(), model.policy[1].clone());
        // The same rules: the optimum itself.
        assert!(matches!(source(model.policy.clone()), Source::Reference));
        // The slack AUS cap removed from a continuous block: kept.
        assert!(matches!(source(vec![chn.clone()]), Source::Kept));
        // The binding CHN cap removed: solved.
        assert!(matches!(source(vec![aus.clone()]), Source::Block(_, _)));
        // At most 2 offers: the optimum uses 2, kept; at most 1: it breaks it, solved.
        let two = vec![chn.clone(), aus.clone(), max_suppliers(2.0)];
        assert!(matches!(source(two), Source::Kept));
        let one = vec![chn.clone(), aus.clone(), max_suppliers(1.0)];
        assert!(matches!(source(one), Source::Block(1, 0)));
        // The same block again is solved once.
        let again = vec![chn, aus, max_suppliers(1.0)];
        assert!(matches!(source(again), Source::Block(1, 0)));
        assert_eq!(sorter.blocks.len(), 2);
    }
}
