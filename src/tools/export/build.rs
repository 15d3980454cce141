//! From formulated blocks to one [`Problem`] in the model's units, with names.

use crate::engine::lp::{Row, Sense};
use crate::error::{Error, Result};
use crate::formulate::{formulate, Block, RowTag};
use crate::model::Model;

use super::cuts::final_cuts;
use super::names::Namer;
use super::{Column, ExportOptions, HhiNote, LinearRow, Problem, SquareRow};
use crate::tolerance::CUT_TOLERANCE;

/// The minerals to export: the one named (any case), or all; an unknown name is a usage
/// error listing the minerals.
pub(super) fn select(model: &Model, mineral: Option<&str>) -> Result<Vec<usize>> {
    let Some(name) = mineral else {
        return Ok((0..model.minerals.len()).collect());
    };
    model
        .minerals
        .iter()
        .position(|m| m.name.eq_ignore_ascii_case(name))
        .map(|m| vec![m])
        .ok_or_else(|| {
            Error::Usage(format!(
                "--mineral {name:?} is not a mineral of the model; it has: {}",
                model
                    .minerals
                    .iter()
                    .map(|m| m.name.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// The problem to export for `opts` (one mineral or all), and how each mineral's HHI caps
/// are stated. HHI blocks without `socp` run their cut loop first (minerals joined by
/// bundles or lot discounts, then the joint problem's too).
pub fn build_problem(model: &Model, opts: &ExportOptions) -> Result<(Problem, Vec<HhiNote>)> {
    let minerals = select(model, opts.mineral.as_deref())?;
    if let (false, [m]) = (model.coupling.is_empty(), &minerals[..]) {
        if opts.mineral.is_some() {
            // One mineral with bundles or lot discounts: the model of it alone.
            let part = super::coupling::alone(model, *m)?;
            let all = ExportOptions {
                mineral: None,
                ..opts.clone()
            };
            return build_problem(&part, &all);
        }
    }
    let mut namer = Namer::new(opts.format);
    let mut problem = Problem {
        objective: namer.name("total_cost"),
        ..Problem::default()
    };
    problem.comments = header_comments(model, &minerals);
    let mut notes = Vec::new();
    let mut soft_noted = false;
    let mut blocks = Vec::new();
    for m in minerals {
        let mut block = formulate(model, m)?;
        if !block.elastic.is_empty() && !std::mem::replace(&mut soft_noted, true) {
            problem.comments.push(SOFT_COMMENT.into());
        }
        if block.concentration.is_some() {
            let note = hhi_note(model, &mut block, opts.socp);
            problem.comments.push(hhi_comment(&note));
            notes.push(note);
        }
        blocks.push(block);
    }
    if !model.coupling.is_empty() {
        problem
            .comments
            .push(super::coupling::COUPLING_COMMENT.into());
        if !opts.socp {
            problem
                .comments
                .extend(super::coupling::joint_cuts(model, &mut blocks)?);
        }
    }
    let mut offers = super::coupling::OfferColumns::new(model);
    for block in &blocks {
        offers.add(model, block, problem.columns.len());
        BlockWriter::new(model, block, &mut namer, opts.socp).add_to(&mut problem);
    }
    if !model.coupling.is_empty() {
        super::coupling::add_coupling(model, &offers, &mut namer, &mut problem);
    }
    Ok((problem, notes))
}

/// The header line of a model with soft rows.
const SOFT_COMMENT: &str = "Soft rows: viol_ columns are a row's violation in points of its rule \
    (a percentage point of demand, 0.01 of average risk, 100 HHI points, one supplier or \
    country), each at the row's penalty per point in the objective.";

/// What the file's objective leaves out of the total cost `solve` reports: the holding
/// cost h · S0 of the stock on hand (a constant), in words.
fn objective_constant(model: &Model, minerals: &[usize]) -> String {
    let held: f64 = minerals
        .iter()
        .filter_map(|&m| model.minerals[m].stock)
        .map(|s| s.holding_cost * s.on_hand)
        .sum();
    if held > 0.0 {
        format!(
            "objective constant {}: the holding cost of the stock on hand, h x S0, which the \
             file leaves out; add it to the file's optimum for the total cost solve reports",
            crate::write::numbers::plain(held)
        )
    } else {
        "objective constant 0".into()
    }
}

fn header_comments(model: &Model, minerals: &[usize]) -> Vec<String> {
    let names: Vec<&str> = minerals
        .iter()
        .map(|&m| model.minerals[m].name.as_str())
        .collect();
    vec![
        format!(
            "sourcemix {}: the model sourcemix solves, minerals {}",
            env!("CARGO_PKG_VERSION"),
            names.join(", ")
        ),
        format!(
            "Minimize total cost in the model's currency ({}): landed cost x purchases + fixed \
             cost x used offers + unmet penalty x unmet demand.",
            objective_constant(model, minerals)
        ),
        "Units are the model's: x_ (purchases) and u_ (unmet) in quantity units; y_ and z_ are \
         0/1 (offer used, country used); s_ are country shares of demand and t_ their squares \
         (HHI terms). Minerals are independent blocks."
            .into(),
    ]
}

fn hhi_note(model: &Model, block: &mut Block, socp: bool) -> HhiNote {
    let mineral = model.minerals[block.mineral].name.to_string();
    if socp {
        return HhiNote {
            mineral,
            form: "quadratic",
            cut_rounds: 0,
            solver: String::new(),
            converged: true,
        };
    }
    let outcome = final_cuts(block);
    HhiNote {
        mineral,
        form: "cuts",
        cut_rounds: outcome.rounds,
        solver: outcome.solver.to_string(),
        converged: outcome.converged,
    }
}

fn hhi_comment(note: &HhiNote) -> String {
    if note.form == "quadratic" {
        return format!(
            "HHI caps of {}: t_c >= s_c^2 as quadratic constraints (rows sq_), exact.",
            note.mineral
        );
    }
    let end = if note.converged {
        format!("every cap holds within {CUT_TOLERANCE:e} at the optimum")
    } else {
        "the loop stopped before every cap held (the block has no plan, or the round limit)".into()
    };
    format!(
        "HHI caps of {} as the tangent cuts t_c >= 2a s_c - a^2 (rows cut_) of the final round \
         of the cut loop ({} rounds after the first solve, {}): {end}.",
        note.mineral, note.cut_rounds, note.solver
    )
}

/// What a column of a `max_top_share` row is.
#[derive(Debug, Clone, Copy)]
enum Top {
    /// The threshold t.
    Threshold,
    /// The excess v_c of a country over t.
    Excess(usize),
}

/// One block being added to a problem.
struct BlockWriter<'a> {
    model: &'a Model,
    block: &'a Block,
    namer: &'a mut Namer,
    socp: bool,
    /// Real value = factor · scaled value, per block variable (D for quantities).
    factor: Vec<f64>,
    /// Offer (local index) of each x or y variable.
    offer_of: Vec<Option<usize>>,
    /// Country of each s or t variable.
    country_of: Vec<Option<usize>>,
    /// Index of the block's first column in the problem.
    offset: usize,
}

impl<'a> BlockWriter<'a> {
    fn new(model: &'a Model, block: &'a Block, namer: &'a mut Namer, socp: bool) -> Self {
        let n = block.lp.vars.len();
        let mut factor = vec![1.0; n];
        let mut offer_of = vec![None; n];
        let mut country_of = vec![None; n];
        for (j, v) in block.offer_var.iter().enumerate() {
            if let Some(v) = *v {
                factor[v] = block.demand;
                offer_of[v] = Some(j);
            }
        }
        for (j, y) in block.used_var.iter().enumerate() {
            if let Some(y) = *y {
                offer_of[y] = Some(j);
            }
        }
        if let Some(u) = block.unmet_var {
            factor[u] = block.demand;
        }
        if let Some(b) = block.stock_var {
            factor[b] = block.demand;
        }
        for t in &block.tiers {
            // Tier segments are quantities too.
            for &g in &t.segments {
                factor[g] = block.demand;
            }
        }
        if let Some(c) = &block.concentration {
            for &(country, s, t) in &c.countries {
                country_of[s] = Some(country);
                country_of[t] = Some(country);
            }
        }
        BlockWriter {
            model,
            block,
            namer,
            socp,
            factor,
            offer_of,
            country_of,
            offset: 0,
        }
    }

    fn mineral(&self) -> &str {
        &self.model.minerals[self.block.mineral].name
    }

    fn supplier(&self, offer: usize) -> &str {
        &self.model.offers_of(self.block.mineral)[offer].supplier
    }

    fn country(&self, c: usize) -> &str {
        &self.model.countries[c].code
    }

    fn add_to(mut self, p: &mut Problem) {
        self.offset = p.columns.len();
        let z_country = self.country_used_columns();
        let top = self.top_share_columns();
        let lp = &self.block.lp;
        let scale = self.block.demand * self.block.cost_scale;
        for (v, var) in lp.vars.iter().enumerate() {
            let raw = match top[v] {
                Some(Top::Threshold) => format!("ttop_{}", self.mineral()),
                Some(Top::Excess(c)) => format!("vtop_{}_{}", self.mineral(), self.country(c)),
                None => self.column_name(v, z_country[v]),
            };
            let f = self.factor[v];
            p.columns.push(Column {
                name: self.namer.name(&raw),
                lower: var.lower * f,
                upper: var.upper * f,
                cost: var.cost * scale / f,
                integer: var.integer,
            });
        }
        self.add_rows(p);
        if self.socp {
            if let Some(c) = &self.block.concentration {
                for &(country, s, t) in &c.countries {
                    let raw = format!("sq_{}_{}", self.mineral(), self.country(country));
                    p.squares.push(SquareRow {
                        name: self.namer.name(&raw),
                        s: self.offset + s,
                        t: self.offset + t,
                    });
                }
            }
        }
    }

    /// The country of each country-used variable z (the first term of a `Definition`
    /// row z − Σ y ≤ 0), from the offers of its y terms.
    fn country_used_columns(&self) -> Vec<Option<usize>> {
        let mut z = vec![None; self.block.lp.vars.len()];
        let offers = self.model.offers_of(self.block.mineral);
        for row in &self.block.lp.rows {
            if row.tag == RowTag::Definition && row.sense == Sense::Le {
                let country = row.terms[1..]
                    .iter()
                    .find_map(|&(y, _)| self.offer_of[y])
                    .map(|j| offers[j].country);
                z[row.terms[0].0] = country;
            }
        }
        z
    }

    /// The threshold t and excesses v_c of `max_top_share` rows, from their definition
    /// rows v_c + t − Σ x ≥ 0 (the country from the offers).
    fn top_share_columns(&self) -> Vec<Option<Top>> {
        let mut top = vec![None; self.block.lp.vars.len()];
        let offers = self.model.offers_of(self.block.mineral);
        for row in &self.block.lp.rows {
            if row.tag == RowTag::Definition && row.sense == Sense::Ge {
                let country = row.terms[2..]
                    .iter()
                    .find_map(|&(x, _)| self.offer_of[x])
                    .map(|j| offers[j].country);
                if let Some(c) = country {
                    top[row.terms[0].0] = Some(Top::Excess(c));
                }
                top[row.terms[1].0] = Some(Top::Threshold);
            }
        }
        top
    }

    fn column_name(&self, v: usize, z_country: Option<usize>) -> String {
        let m = self.mineral();
        let b = self.block;
        if let Some(j) = self.offer_of[v] {
            let prefix = if b.offer_var[j] == Some(v) { "x" } else { "y" };
            return format!("{prefix}_{m}_{}", self.supplier(j));
        }
        if b.unmet_var == Some(v) {
            return format!("u_{m}");
        }
        if b.stock_var == Some(v) {
            return format!("b_{m}");
        }
        let var = &b.lp.vars[v];
        if var.lower == var.upper {
            return format!("const_{m}_{v}");
        }
        if let (Some(c), Some(conc)) = (self.country_of[v], &b.concentration) {
            let is_s = conc.countries.iter().any(|&(_, s, _)| s == v);
            let prefix = if is_s { "s" } else { "t" };
            return format!("{prefix}_{m}_{}", self.country(c));
        }
        if let Some(c) = z_country {
            return format!("z_{m}_{}", self.country(c));
        }
        if let Some(e) = b.elastic.iter().find(|e| e.var == v) {
            // A soft row's violation, in points of its rule.
            return format!("viol_{}", self.policy_name(e.instance));
        }
        for t in &b.tiers {
            let supplier = self.supplier(t.offer);
            if let Some(k) = t.segments.iter().position(|&g| g == v) {
                return format!("tier_{m}_{supplier}_{}", k + 1);
            }
            if let Some(&(k, _)) = t.binaries.iter().find(|&&(_, z)| z == v) {
                return format!("ztier_{m}_{supplier}_{}", k + 1);
            }
        }
        format!("v_{m}_{v}")
    }

    fn add_rows(&mut self, p: &mut Problem) {
        let mut cut_count = vec![0usize; self.block.lp.vars.len()];
        let mut zero: Option<usize> = None;
        for row in &self.block.lp.rows {
            let tag = row.tag;
            if self.socp && tag == RowTag::Cut {
                continue;
            }
            let raw = self.row_name(tag, row, &mut cut_count);
            let g = if row.terms.iter().any(|&(j, _)| self.factor[j] != 1.0) {
                self.block.demand
            } else {
                1.0
            };
            let mut terms: Vec<(usize, f64)> = row
                .terms
                .iter()
                .filter(|&&(_, a)| a != 0.0)
                .map(|&(j, a)| (self.offset + j, a * g / self.factor[j]))
                .collect();
            if terms.is_empty() {
                terms.push((self.zero_column(p, &mut zero), 0.0));
            }
            p.rows.push(LinearRow {
                name: self.namer.name(&raw),
                terms,
                sense: row.sense,
                rhs: row.rhs * g,
            });
        }
        self.add_empty_violations(p, &mut zero);
    }

    /// Policy rows with no variable whose bound cannot hold make `solve` report the
    /// block infeasible: they are written as rows `0 · zero_m ≤/≥ bound` so the file is
    /// infeasible too.
    fn add_empty_violations(&mut self, p: &mut Problem, zero: &mut Option<usize>) {
        for &k in &self.block.empty_violations {
            let inst = &self.block.instances[k];
            let raw = self.policy_name(k);
            let sense = inst.lp_sense();
            let z = self.zero_column(p, zero);
            p.rows.push(LinearRow {
                name: self.namer.name(&raw),
                terms: vec![(z, 0.0)],
                sense,
                rhs: inst.bound,
            });
        }
    }

    /// A column fixed at 0 that carries rows without a variable (LP and MPS readers need
    /// a term in each row).
    fn zero_column(&mut self, p: &mut Problem, zero: &mut Option<usize>) -> usize {
        *zero.get_or_insert_with(|| {
            let raw = format!("zero_{}", self.mineral());
            p.columns.push(Column {
                name: self.namer.name(&raw),
                lower: 0.0,
                upper: 0.0,
                cost: 0.0,
                integer: false,
            });
            p.columns.len() - 1
        })
    }

    fn row_name(&self, tag: RowTag, row: &Row, cuts: &mut [usize]) -> String {
        let m = self.mineral();
        let terms = &row.terms[..];
        let first = terms.first().map(|&(j, _)| j);
        match tag {
            RowTag::Demand => format!("demand_{m}"),
            RowTag::Policy(k) => self.policy_name(k),
            RowTag::Link => {
                let offer = first.and_then(|j| self.offer_of[j]);
                // x − U·y ≤ 0 and x − L·y ≥ 0.
                let kind = match row.sense {
                    Sense::Le => "usemax",
                    _ => "usemin",
                };
                match offer {
                    Some(j) => format!("{kind}_{m}_{}", self.supplier(j)),
                    None => format!("{kind}_{m}"),
                }
            }
            RowTag::Definition => {
                let country = terms
                    .iter()
                    .find_map(|&(j, _)| self.country_of[j])
                    .map(|c| self.country(c).to_string());
                match (country, row.sense) {
                    (Some(c), _) => format!("share_{m}_{c}"),
                    // v_c + t − Σ x ≥ 0 of a `max_top_share` row.
                    (None, Sense::Ge) => format!("topdef_{m}_{}", self.x_label(terms)),
                    (None, Sense::Le | Sense::Eq) => {
                        format!("countryused_{m}_{}", self.z_label(terms))
                    }
                }
            }
            RowTag::Cut => {
                let t = first.unwrap_or(0);
                cuts[t] += 1;
                let c = self.country_of[t].map_or("", |c| self.country(c));
                format!("cut_{m}_{c}_{}", cuts[t])
            }
            RowTag::Other => format!("row_{m}"),
        }
    }

    fn z_label(&self, terms: &[(usize, f64)]) -> String {
        let offers = self.model.offers_of(self.block.mineral);
        terms[1..]
            .iter()
            .find_map(|&(y, _)| self.offer_of[y])
            .map_or_else(String::new, |j| self.country(offers[j].country).to_string())
    }

    /// The country of the first offer quantity among `terms`.
    fn x_label(&self, terms: &[(usize, f64)]) -> String {
        let offers = self.model.offers_of(self.block.mineral);
        terms
            .iter()
            .find_map(|&(x, _)| self.offer_of[x].filter(|&j| self.block.offer_var[j] == Some(x)))
            .map_or_else(String::new, |j| self.country(offers[j].country).to_string())
    }

    fn policy_name(&self, k: usize) -> String {
        let inst = &self.block.instances[k];
        let m = self.mineral();
        let target = inst.target_label(self.model);
        let prefix = inst.kind.export_prefix();
        // A row at a stage names it: cap_ree_refine_CHN.
        let m = match inst.stage {
            Some(_) => format!("{m}_{}", self.model.stages.label(inst.stage)),
            None => m.to_string(),
        };
        if target.is_empty() {
            format!("{prefix}_{m}")
        } else {
            format!("{prefix}_{m}_{target}")
        }
    }
}
