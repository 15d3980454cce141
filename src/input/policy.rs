//! constraints.csv: the planner's policy rows, each resolved against the model.

use super::files::CONSTRAINTS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use super::SupplierLookup;
use crate::error::{InputErrors, InputIssue};
use crate::model::{MineralScope, Model, PolicyRow, StageScope, Target};
use crate::policy::{BoundDomain, Kind, TargetKind};

const COLUMNS: Columns = Columns {
    required: &["constraint", "mineral", "target", "bound"],
    optional: &["penalty", "priority", "stage"],
};

pub fn read(
    files: &ModelFiles,
    model: &Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Vec<PolicyRow> {
    read_named(files, CONSTRAINTS, model, errors, warnings)
}

/// The policy rows of file `name` in `files`, in constraints.csv's layout (a rule set of
/// `compare`'s cases file); messages name `name`.
pub(crate) fn read_named(
    files: &ModelFiles,
    name: &str,
    model: &Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Vec<PolicyRow> {
    let Some(table) = read_table(files, name, &COLUMNS, errors, warnings) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(table.records.len());
    let mut suppliers = SupplierLookup::new(model);
    for r in &table.records {
        if let Some(row) = read_row(&table, r, model, &mut suppliers, errors, warnings) {
            out.push(row);
        }
    }
    out
}

/// One policy row from the `constraint`, `mineral`, `target` and `bound` cells of `r`;
/// messages name the table's file.
pub(crate) fn read_row(
    table: &Table,
    r: &Record,
    model: &Model,
    suppliers: &mut SupplierLookup,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<PolicyRow> {
    let name = table.required_text(r, "constraint", errors)?;
    let Some(kind) = Kind::from_name(name) else {
        errors.push(InputIssue::cell(
            &table.file,
            r.line,
            "constraint",
            name,
            format!(
                "is not a known constraint; expected one of: {}",
                super::list(crate::policy::ALL.iter().map(|k| k.name()))
            ),
        ));
        return None;
    };
    if kind.needs_stock() && !model.has_stock() {
        errors.push(InputIssue::cell(
            &table.file,
            r.line,
            "constraint",
            name,
            format!(
                "needs a stock; expected the stock columns of demand.csv (stock_on_hand, holding_cost, stock_cap) with {}",
                kind.name()
            ),
        ));
        return None;
    }
    let mineral = mineral_scope(table, r, model, errors);
    let target = target(kind, table, r, model, suppliers, errors);
    let bound = bound(kind, table, r, errors, warnings);
    let soft = super::soft::read(kind, table, r, errors);
    let stage = stage(kind, table, r, model, errors);
    Some(PolicyRow {
        kind,
        mineral: mineral?,
        target: target?,
        bound: bound?,
        line: r.line,
        soft: soft?,
        stage: stage?,
    })
}

/// The `stage` cell of a `kind` row (absent or empty: the shipping country): a stage of
/// `model` or `any`, for the rules that apply at a stage.
pub(crate) fn stage(
    kind: Kind,
    table: &Table,
    r: &Record,
    model: &Model,
    errors: &mut InputErrors,
) -> Option<StageScope> {
    if !table.has_column("stage") {
        return Some(StageScope::Shipping);
    }
    let text = table.text(r, "stage");
    let scope = match text {
        "" => return Some(StageScope::Shipping),
        "any" => StageScope::Any,
        _ => match model.stages.index(text) {
            Some(s) => StageScope::At(s),
            None => {
                let expected = if model.stages.names.is_empty() {
                    "is not a stage of this model (suppliers.csv has no origin_<stage> columns); expected an empty cell".to_string()
                } else {
                    format!(
                        "is not a stage of this model; expected empty (the shipping country), any, or one of: {}",
                        super::list(model.stages.names.iter().map(|n| n.as_str()))
                    )
                };
                errors.push(InputIssue::cell(
                    &table.file,
                    r.line,
                    "stage",
                    text,
                    expected,
                ));
                return None;
            }
        },
    };
    if !kind.stage_aware() {
        errors.push(InputIssue::cell(
            &table.file,
            r.line,
            "stage",
            text,
            format!(
                "does not apply to {}; a stage applies to country, group, risk, HHI, top-share, value-share and country exclusion rules only (expected an empty cell)",
                kind.name()
            ),
        ));
        return None;
    }
    Some(scope)
}

/// The `mineral` cell: `*` or a mineral of `model`.
pub(crate) fn mineral_scope(
    table: &Table,
    r: &Record,
    model: &Model,
    errors: &mut InputErrors,
) -> Option<MineralScope> {
    let text = table.required_text(r, "mineral", errors)?;
    if text == "*" {
        return Some(MineralScope::Each);
    }
    let key = text.to_lowercase();
    match model
        .minerals
        .iter()
        .position(|m| m.name.to_lowercase() == key)
    {
        Some(m) => Some(MineralScope::One(m)),
        None => {
            errors.push(InputIssue::cell(
                &table.file,
                r.line,
                "mineral",
                text,
                format!(
                    "is not a mineral of this model; expected * or one of: {}",
                    super::list(model.minerals.iter().map(|m| m.name.as_str()))
                ),
            ));
            None
        }
    }
}

/// The `target` cell of a `kind` row, resolved against `model`.
pub(crate) fn target(
    kind: Kind,
    table: &Table,
    r: &Record,
    model: &Model,
    suppliers: &mut SupplierLookup,
    errors: &mut InputErrors,
) -> Option<Target> {
    let text = table.text(r, "target");
    let bad = |errors: &mut InputErrors, expected: String| {
        errors.push(InputIssue::cell(
            &table.file,
            r.line,
            "target",
            text,
            expected,
        ));
        None
    };
    match kind.target_kind() {
        TargetKind::None if text.is_empty() => Some(Target::None),
        TargetKind::None => bad(
            errors,
            format!("is not used by {}; expected an empty cell", kind.name()),
        ),
        TargetKind::CountryOrAll | TargetKind::SupplierOrAll if text == "*" => Some(Target::Each),
        TargetKind::CountryOrAll | TargetKind::Country => {
            let code = text.to_ascii_uppercase();
            match model.countries.binary_search_by(|c| c.code.as_str().cmp(&code)) {
                Ok(c) if text.len() == 3 => Some(Target::Country(c)),
                _ => bad(
                    errors,
                    format!(
                        "is not a country of this model; expected {}an ISO3 code named in suppliers.csv or countries.csv",
                        if kind.target_kind() == TargetKind::CountryOrAll { "* or " } else { "" }
                    ),
                ),
            }
        }
        TargetKind::SupplierOrAll | TargetKind::Supplier => {
            match suppliers.get(text) {
                Some(s) => Some(Target::Supplier(s)),
                None => bad(
                    errors,
                    format!(
                        "is not a supplier of this model; expected {}a supplier id from suppliers.csv",
                        if kind.target_kind() == TargetKind::SupplierOrAll { "* or " } else { "" }
                    ),
                ),
            }
        }
        TargetKind::Group => match model.groups.binary_search_by(|g| g.as_str().cmp(text)) {
            Ok(g) => Some(Target::Group(g)),
            Err(_) if model.groups.is_empty() => bad(
                errors,
                "is not a group of this model; groups come from the groups column of countries.csv, and none is given".into(),
            ),
            Err(_) => bad(
                errors,
                format!(
                    "is not a group of this model; expected one of: {}",
                    super::list(model.groups.iter())
                ),
            ),
        },
        TargetKind::CountryOrGroup => {
            let code = text.to_ascii_uppercase();
            if let (3, Ok(c)) = (
                text.len(),
                model.countries.binary_search_by(|c| c.code.as_str().cmp(&code)),
            ) {
                return Some(Target::Country(c));
            }
            match model.groups.binary_search_by(|g| g.as_str().cmp(text)) {
                Ok(g) => Some(Target::Group(g)),
                Err(_) => bad(
                    errors,
                    "is not a country or group of this model; expected an ISO3 code named in suppliers.csv or countries.csv, or a group tag of countries.csv".into(),
                ),
            }
        }
        TargetKind::Top => match text.parse::<usize>() {
            Ok(k) if k >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => Some(Target::Top(k)),
            _ => bad(
                errors,
                "is not a number of countries; expected a whole number k ≥ 1 (the k largest country shares)".into(),
            ),
        },
    }
}

/// The `bound` cell of a `kind` row, in the rule's domain.
pub(crate) fn bound(
    kind: Kind,
    table: &Table,
    r: &Record,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<f64> {
    let domain = match kind.domain() {
        BoundDomain::Fraction => Domain::Fraction,
        BoundDomain::NonNegative => Domain::NonNegative,
        BoundDomain::Count => Domain::Count,
        BoundDomain::None => {
            let text = table.text(r, "bound");
            if !text.is_empty() {
                warnings.push(format!(
                    "{}:{}: column bound: {text:?} ignored; {} takes no bound",
                    table.file,
                    r.line,
                    kind.name()
                ));
            }
            return Some(0.0);
        }
    };
    table.number(r, "bound", domain, errors)
}
