//! Free-format MPS: sections NAME, ROWS, COLUMNS (integer columns between
//! `MARKER 'MARKER' 'INTORG'` / `'INTEND'` lines), RHS, BOUNDS, QCMATRIX (CPLEX's and
//! Gurobi's extension for quadratic rows: the full matrix of x'Qx, no factor ½), ENDATA.
//! Comment lines start with `*`.

use std::io::{self, Write};

use crate::engine::lp::Sense;

use super::{write_num, Problem};

/// Writes `p` as free MPS.
pub fn write_mps(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    for c in &p.comments {
        writeln!(w, "* {c}")?;
    }
    writeln!(w, "NAME sourcemix")?;
    write_rows(p, w)?;
    write_columns(p, w)?;
    writeln!(w, "RHS")?;
    write!(w, "    RHS {} ", p.objective)?;
    write_num(w, 0.0)?;
    writeln!(w)?;
    for r in p.rows.iter().filter(|r| r.rhs != 0.0) {
        write!(w, "    RHS {} ", r.name)?;
        write_num(w, r.rhs)?;
        writeln!(w)?;
    }
    write_bounds(p, w)?;
    for q in &p.squares {
        writeln!(w, "QCMATRIX {}", q.name)?;
        let s = &p.columns[q.s].name;
        writeln!(w, "    {s} {s} 1")?;
    }
    writeln!(w, "ENDATA")
}

fn write_rows(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "ROWS")?;
    writeln!(w, " N  {}", p.objective)?;
    for r in &p.rows {
        let s = match r.sense {
            Sense::Le => 'L',
            Sense::Ge => 'G',
            Sense::Eq => 'E',
        };
        writeln!(w, " {s}  {}", r.name)?;
    }
    for q in &p.squares {
        writeln!(w, " L  {}", q.name)?;
    }
    Ok(())
}

/// (row, coefficient) per column: the linear rows, then t's −1 in its square row (row
/// `rows.len() + k` stands for square row k).
fn column_entries(p: &Problem) -> Vec<Vec<(usize, f64)>> {
    let mut counts = vec![0usize; p.columns.len()];
    for r in &p.rows {
        for &(j, _) in &r.terms {
            counts[j] += 1;
        }
    }
    let mut cols: Vec<Vec<(usize, f64)>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (i, r) in p.rows.iter().enumerate() {
        for &(j, a) in &r.terms {
            cols[j].push((i, a));
        }
    }
    for (k, q) in p.squares.iter().enumerate() {
        cols[q.t].push((p.rows.len() + k, -1.0));
    }
    cols
}

fn write_columns(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "COLUMNS")?;
    let entries = column_entries(p);
    let row_name = |i: usize| {
        if i < p.rows.len() {
            &p.rows[i].name
        } else {
            &p.squares[i - p.rows.len()].name
        }
    };
    let mut in_integers = false;
    for (col, list) in p.columns.iter().zip(&entries) {
        if col.integer != in_integers {
            let which = if col.integer { "INTORG" } else { "INTEND" };
            writeln!(w, "    MARKER 'MARKER' '{which}'")?;
            in_integers = col.integer;
        }
        if col.cost != 0.0 || list.is_empty() {
            write!(w, "    {} {} ", col.name, p.objective)?;
            write_num(w, col.cost)?;
            writeln!(w)?;
        }
        for &(i, a) in list {
            write!(w, "    {} {} ", col.name, row_name(i))?;
            write_num(w, a)?;
            writeln!(w)?;
        }
    }
    if in_integers {
        writeln!(w, "    MARKER 'MARKER' 'INTEND'")?;
    }
    Ok(())
}

fn write_bounds(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "BOUNDS")?;
    for c in &p.columns {
        let mut line = |kind: &str, v: Option<f64>| -> io::Result<()> {
            write!(w, " {kind} BND {}", c.name)?;
            if let Some(v) = v {
                write!(w, " ")?;
                write_num(w, v)?;
            }
            writeln!(w)
        };
        if c.lower == c.upper {
            line("FX", Some(c.lower))?;
        } else if c.integer && c.lower == 0.0 && c.upper == 1.0 {
            line("BV", None)?;
        } else {
            if c.lower != 0.0 {
                line("LO", Some(c.lower))?;
            }
            if c.upper.is_finite() {
                line("UP", Some(c.upper))?;
            } else if c.integer {
                line("PL", None)?;
            }
        }
    }
    Ok(())
}
