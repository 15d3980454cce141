//! A solver-neutral linear program: the formulation writes it, a backend solves it, and
//! the same data serve checking, diagnosis and export.

/// Direction of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Σ a x ≤ rhs.
    Le,
    /// Σ a x ≥ rhs.
    Ge,
    /// Σ a x = rhs.
    Eq,
}

/// One variable: bounds, objective coefficient, integrality.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// Lower bound (finite).
    pub lower: f64,
    /// Upper bound; `f64::INFINITY` for none.
    pub upper: f64,
    /// Objective coefficient (minimized).
    pub cost: f64,
    /// True for an integer (here: binary) variable.
    pub integer: bool,
}

/// Where a row came from, carried inside the row so rows and their origins cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTag {
    /// Σ x + u = D.
    Demand,
    /// A policy row instance (index into the block's expanded instances).
    Policy(usize),
    /// x_i ≤ U_i y_i or x_i ≥ L_i y_i for an offer with a binary.
    Link,
    /// A definition: s_c = Σ x over country c, or country-used z_c ≤ Σ y.
    Definition,
    /// A tangent cut t_c ≥ 2a s_c − a².
    Cut,
    /// A row of an auxiliary problem (polishing, diagnosis) with no model meaning.
    Other,
}

/// One linear row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where it came from.
    pub tag: RowTag,
    /// (variable index, coefficient) pairs, each variable at most once.
    pub terms: Vec<(usize, f64)>,
    /// Direction.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
}

/// Where a variable of a program went in [`Lp::with_fixed`]'s smaller one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// A variable of the smaller program (its index there).
    Free(usize),
    /// Fixed at this value.
    Fixed(f64),
}

/// The point of the whole program at a solution `x` of [`Lp::with_fixed`]'s smaller one.
pub fn lift(slots: &[Slot], x: &[f64]) -> Vec<f64> {
    slots
        .iter()
        .map(|s| match *s {
            Slot::Free(i) => x[i],
            Slot::Fixed(v) => v,
        })
        .collect()
}

/// A minimization problem: Σ cost·x subject to rows and bounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lp {
    /// Variables.
    pub vars: Vec<Var>,
    /// Rows.
    pub rows: Vec<Row>,
}

impl Lp {
    /// Adds a continuous variable; returns its index.
    pub fn add_var(&mut self, lower: f64, upper: f64, cost: f64) -> usize {
        self.vars.push(Var {
            lower,
            upper,
            cost,
            integer: false,
        });
        self.vars.len() - 1
    }

    /// Adds a binary variable; returns its index.
    pub fn add_binary(&mut self, cost: f64) -> usize {
        self.vars.push(Var {
            lower: 0.0,
            upper: 1.0,
            cost,
            integer: true,
        });
        self.vars.len() - 1
    }

    /// Adds a row; returns its index.
    pub fn add_row(
        &mut self,
        tag: RowTag,
        terms: Vec<(usize, f64)>,
        sense: Sense,
        rhs: f64,
    ) -> usize {
        self.rows.push(Row {
            tag,
            terms,
            sense,
            rhs,
        });
        self.rows.len() - 1
    }

    /// True when some variable is integer.
    pub fn has_integers(&self) -> bool {
        self.vars.iter().any(|v| v.integer)
    }

    /// Objective value at `x`.
    pub fn objective(&self, x: &[f64]) -> f64 {
        self.vars.iter().zip(x).map(|(v, x)| v.cost * x).sum()
    }

    /// Left-hand side of row `r` at `x`.
    pub fn activity(&self, r: usize, x: &[f64]) -> f64 {
        self.rows[r].terms.iter().map(|&(j, a)| a * x[j]).sum()
    }

    /// Reduced cost of variable `j` given row duals (d objective / d rhs per row).
    pub fn reduced_cost(&self, j: usize, duals: &[f64], column: &[(usize, f64)]) -> f64 {
        self.vars[j].cost - column.iter().map(|&(r, a)| a * duals[r]).sum::<f64>()
    }

    /// The program with every variable `fixed` gives a value held at it: the others keep
    /// their order, renumbered, and every row stays in place with the fixed terms moved
    /// into its right-hand side (a row may be left without terms). Returns it and where
    /// each variable went.
    pub fn with_fixed(&self, fixed: impl Fn(usize) -> Option<f64>) -> (Lp, Vec<Slot>) {
        let mut lp = Lp::default();
        let slots: Vec<Slot> = self
            .vars
            .iter()
            .enumerate()
            .map(|(j, v)| match fixed(j) {
                Some(value) => Slot::Fixed(value),
                None => {
                    lp.vars.push(v.clone());
                    Slot::Free(lp.vars.len() - 1)
                }
            })
            .collect();
        for row in &self.rows {
            let mut constant = 0.0;
            let mut terms = Vec::new();
            for &(j, a) in &row.terms {
                match slots[j] {
                    Slot::Free(k) => terms.push((k, a)),
                    Slot::Fixed(x) => constant += a * x,
                }
            }
            lp.add_row(row.tag, terms, row.sense, row.rhs - constant);
        }
        (lp, slots)
    }

    /// Column view: for each variable, the (row, coefficient) pairs it appears in.
    pub fn columns(&self) -> Vec<Vec<(usize, f64)>> {
        let mut cols = vec![Vec::new(); self.vars.len()];
        for (r, row) in self.rows.iter().enumerate() {
            for &(j, a) in &row.terms {
                cols[j].push((r, a));
            }
        }
        cols
    }
}
