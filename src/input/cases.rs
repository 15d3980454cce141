//! The cases file of `compare`: named policy variants of one model, each a rule set (the
//! model's policy, none, a file of its own, with edits on top) or a fixed plan.
//!
//! Columns `case,action,constraint,mineral,target,bound,file`. A case is one or more
//! consecutive rows with the same name: its first row may name a base (`full_policy`,
//! `no_rules`, `limited_suppliers`, `rules`, `plan`; without one the base is the
//! model's policy), the rows after it edit the rule set (`drop`, `add`, `bound`).

use std::path::Path;

use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use super::{load_plan, policy, SupplierLookup};
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::{MineralScope, Model, PolicyRow, Target};
use crate::policy::Kind;

const COLUMNS: Columns = Columns {
    required: &["case", "action"],
    optional: &["constraint", "mineral", "target", "bound", "file"],
};

/// One case of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSpec {
    /// Its name (unique in the file).
    pub name: String,
    /// What is compared.
    pub what: CaseKind,
}

/// What a case is.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseKind {
    /// The model solved under this rule set (in place of constraints.csv).
    Policy(Vec<PolicyRow>),
    /// A fixed plan (x per offer of the model, `Model::offers` order), evaluated as it is.
    Plan(Vec<f64>),
}

impl CaseSpec {
    /// The model's policy as it is.
    pub fn full_policy(model: &Model) -> CaseSpec {
        CaseSpec {
            name: "full_policy".into(),
            what: CaseKind::Policy(model.policy.clone()),
        }
    }

    /// No policy rows: the best bid.
    pub fn no_rules() -> CaseSpec {
        CaseSpec {
            name: "no_rules".into(),
            what: CaseKind::Policy(Vec::new()),
        }
    }
}

/// The cases of file `path` for `model`, with warnings. Every problem is reported with
/// its file, line, column and value (exit 2); rule and plan files are read relative to
/// the cases file and their own problems name them.
pub fn load_cases(path: &Path, model: &Model) -> Result<(Vec<CaseSpec>, Vec<String>)> {
    let name = path.display().to_string();
    let files = ModelFiles::read_path(&name, path);
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    let Some(table) = read_table(&files, &name, &COLUMNS, &mut errors, &mut warnings) else {
        return Err(Error::Input(errors));
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let mut reader = CasesReader {
        table: &table,
        model,
        base_dir,
        suppliers: SupplierLookup::new(model),
        cases: Vec::new(),
        open: None,
        errors: &mut errors,
        warnings: &mut warnings,
    };
    for r in &table.records {
        reader.row(r)?;
    }
    let cases = reader.finish();
    if table.records.is_empty() {
        errors.push(InputIssue::file(
            &name,
            "has no cases; expected at least one row",
        ));
    }
    errors.into_result()?;
    Ok((cases, warnings))
}

/// What a row of the cases file does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    FullPolicy,
    NoRules,
    LimitedSuppliers,
    Rules,
    Plan,
    Drop,
    Add,
    Bound,
}

impl Action {
    const ALL: [Action; 8] = [
        Action::FullPolicy,
        Action::NoRules,
        Action::LimitedSuppliers,
        Action::Rules,
        Action::Plan,
        Action::Drop,
        Action::Add,
        Action::Bound,
    ];

    fn name(self) -> &'static str {
        match self {
            Action::FullPolicy => "full_policy",
            Action::NoRules => "no_rules",
            Action::LimitedSuppliers => "limited_suppliers",
            Action::Rules => "rules",
            Action::Plan => "plan",
            Action::Drop => "drop",
            Action::Add => "add",
            Action::Bound => "bound",
        }
    }

    /// True for an action that starts a case (its base), false for an edit.
    fn is_base(self) -> bool {
        match self {
            Action::FullPolicy
            | Action::NoRules
            | Action::LimitedSuppliers
            | Action::Rules
            | Action::Plan => true,
            Action::Drop | Action::Add | Action::Bound => false,
        }
    }

    /// The columns the action reads; any other must be empty.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Action::FullPolicy | Action::NoRules => &[],
            Action::LimitedSuppliers => &["bound"],
            Action::Rules | Action::Plan => &["file"],
            Action::Drop => &["constraint", "mineral", "target"],
            Action::Add | Action::Bound => &["constraint", "mineral", "target", "bound"],
        }
    }
}

/// The case being read: its name, first line and what it is so far.
struct Open {
    name: String,
    what: CaseKind,
}

/// The state of reading a cases file.
struct CasesReader<'a, 'm> {
    table: &'a Table,
    model: &'m Model,
    base_dir: &'a Path,
    suppliers: SupplierLookup<'m>,
    cases: Vec<CaseSpec>,
    open: Option<Open>,
    errors: &'a mut InputErrors,
    warnings: &'a mut Vec<String>,
}

impl CasesReader<'_, '_> {
    fn bad(&mut self, r: &Record, column: &str, value: &str, expected: String) {
        self.errors.push(InputIssue::cell(
            &self.table.file,
            r.line,
            column,
            value,
            expected,
        ));
    }

    /// Reads one row; only a failure to read a referenced file as a whole (not an input
    /// problem) ends the read.
    fn row(&mut self, r: &Record) -> Result<()> {
        let table = self.table;
        let Some(name) = table.required_text(r, "case", self.errors) else {
            return Ok(());
        };
        let text = table.text(r, "action");
        let Some(action) = Action::ALL.into_iter().find(|a| a.name() == text) else {
            let expected = format!(
                "is not an action; expected one of: {}",
                super::list(Action::ALL.map(Action::name))
            );
            self.bad(r, "action", text, expected);
            return Ok(());
        };
        for column in COLUMNS.optional {
            let cell = table.text(r, *column);
            if !cell.is_empty() && !action.columns().contains(column) {
                let expected = format!("is not used by {}; expected an empty cell", text);
                self.bad(r, column, cell, expected);
            }
        }
        let continues = self.open.as_ref().is_some_and(|o| o.name == name);
        if !continues {
            self.close();
            if self.cases.iter().any(|c| c.name == name) {
                let expected =
                    "is a case named before; expected a new name (a case's rows are consecutive)"
                        .into();
                self.bad(r, "case", name, expected);
            }
            let what = if action.is_base() {
                match self.base(r, action)? {
                    Some(what) => what,
                    None => return Ok(()),
                }
            } else {
                CaseKind::Policy(self.model.policy.clone())
            };
            self.open = Some(Open {
                name: name.to_string(),
                what,
            });
            if action.is_base() {
                return Ok(());
            }
        } else if action.is_base() {
            let expected = format!(
                "starts a case, but case {name} started on an earlier row; expected drop, add or bound"
            );
            self.bad(r, "action", text, expected);
            return Ok(());
        }
        self.edit(r, action);
        Ok(())
    }

    /// What a base row makes: `None` when the row is bad (reported).
    fn base(&mut self, r: &Record, action: Action) -> Result<Option<CaseKind>> {
        let model = self.model;
        Ok(match action {
            Action::FullPolicy => Some(CaseKind::Policy(model.policy.clone())),
            Action::NoRules => Some(CaseKind::Policy(Vec::new())),
            Action::LimitedSuppliers => {
                let n = self.table.number(r, "bound", Domain::Count, self.errors);
                match n {
                    Some(n) if n >= 1.0 => {
                        let mut rows = model.policy.clone();
                        rows.push(PolicyRow {
                            kind: crate::policy::MAX_SUPPLIERS,
                            mineral: MineralScope::Each,
                            target: Target::None,
                            bound: n,
                            line: r.line,
                            soft: crate::model::Soft::default(),
                            stage: crate::model::StageScope::Shipping,
                        });
                        Some(CaseKind::Policy(rows))
                    }
                    Some(_) => {
                        let text = self.table.text(r, "bound").to_string();
                        self.bad(
                            r,
                            "bound",
                            &text,
                            "is below 1; expected at most N offers per mineral, N ≥ 1".into(),
                        );
                        None
                    }
                    None => None,
                }
            }
            Action::Rules => self.rules_file(r)?.map(CaseKind::Policy),
            Action::Plan => self.plan_file(r)?.map(CaseKind::Plan),
            Action::Drop | Action::Add | Action::Bound => None,
        })
    }

    /// The path in the `file` cell, relative to the cases file; `None` (reported) when it
    /// is empty or names no file.
    fn path(&mut self, r: &Record, what: &str) -> Option<std::path::PathBuf> {
        let text = self.table.required_text(r, "file", self.errors)?;
        let path = self.base_dir.join(text);
        if path.is_file() {
            Some(path)
        } else {
            let expected = format!("is not a file; expected {what}, relative to the cases file");
            self.bad(r, "file", text, expected);
            None
        }
    }

    fn rules_file(&mut self, r: &Record) -> Result<Option<Vec<PolicyRow>>> {
        let Some(path) = self.path(r, "a rule set in constraints.csv's layout") else {
            return Ok(None);
        };
        let name = path.display().to_string();
        let files = ModelFiles::read_path(&name, &path);
        let mut errors = InputErrors::default();
        let rows = policy::read_named(&files, &name, self.model, &mut errors, self.warnings);
        if errors.is_empty() {
            Ok(Some(rows))
        } else {
            self.errors.append(errors);
            Ok(None)
        }
    }

    fn plan_file(&mut self, r: &Record) -> Result<Option<Vec<f64>>> {
        let Some(path) = self.path(r, "a plan in allocation.csv's layout") else {
            return Ok(None);
        };
        match load_plan(&path, self.model) {
            Ok(plan) => {
                self.warnings.extend(plan.warnings);
                Ok(Some(plan.quantities))
            }
            Err(Error::Input(errors)) => {
                self.errors.append(errors);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Applies an edit row to the open case.
    fn edit(&mut self, r: &Record, action: Action) {
        let table = self.table;
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let CaseKind::Policy(rows) = &mut open.what else {
            let expected =
                "edits the rules of a fixed plan, which has none; expected a case of its own"
                    .into();
            let text = table.text(r, "action").to_string();
            self.bad(r, "action", &text, expected);
            return;
        };
        if action == Action::Add {
            let row = policy::read_row(
                table,
                r,
                self.model,
                &mut self.suppliers,
                self.errors,
                self.warnings,
            );
            rows.extend(row);
            return;
        }
        let Some((kind, mineral, target)) = self.selection(r) else {
            return;
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let CaseKind::Policy(rows) = &mut open.what else {
            return;
        };
        let selected = |row: &PolicyRow| {
            row.kind == kind
                && mineral.as_ref().is_none_or(|m| row.mineral == *m)
                && target.as_ref().is_none_or(|t| row.target == *t)
        };
        let matched = rows.iter().filter(|row| selected(row)).count();
        if matched == 0 {
            let text = table.text(r, "constraint").to_string();
            let expected =
                "matches no row of the case's rule set; expected a rule, mineral and target it has"
                    .into();
            self.bad(r, "constraint", &text, expected);
            return;
        }
        match action {
            Action::Drop => rows.retain(|row| !selected(row)),
            Action::Bound => {
                let bound = policy::bound(kind, table, r, self.errors, self.warnings);
                let Some(open) = self.open.as_mut() else {
                    return;
                };
                let CaseKind::Policy(rows) = &mut open.what else {
                    return;
                };
                if let Some(bound) = bound {
                    for row in rows.iter_mut().filter(|row| selected(row)) {
                        row.bound = bound;
                    }
                }
            }
            Action::FullPolicy
            | Action::NoRules
            | Action::LimitedSuppliers
            | Action::Rules
            | Action::Plan
            | Action::Add => {}
        }
    }

    /// The rows a `drop` or `bound` row selects: its rule, and its mineral and target
    /// when given (empty: any). `None` when a cell is bad (reported).
    #[allow(clippy::type_complexity)]
    fn selection(&mut self, r: &Record) -> Option<(Kind, Option<MineralScope>, Option<Target>)> {
        let table = self.table;
        let name = table.required_text(r, "constraint", self.errors)?;
        let Some(kind) = Kind::from_name(name) else {
            let expected = format!(
                "is not a known constraint; expected one of: {}",
                super::list(crate::policy::ALL.iter().map(|k| k.name()))
            );
            self.bad(r, "constraint", name, expected);
            return None;
        };
        let mineral = if table.text(r, "mineral").is_empty() {
            None
        } else {
            Some(policy::mineral_scope(table, r, self.model, self.errors)?)
        };
        let target = if table.text(r, "target").is_empty() {
            None
        } else {
            Some(policy::target(
                kind,
                table,
                r,
                self.model,
                &mut self.suppliers,
                self.errors,
            )?)
        };
        Some((kind, mineral, target))
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            self.cases.push(CaseSpec {
                name: open.name,
                what: open.what,
            });
        }
    }

    fn finish(mut self) -> Vec<CaseSpec> {
        self.close();
        self.cases
    }
}
