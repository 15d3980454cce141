//! CPLEX LP format: `Minimize`, `Subject To` (quadratic rows with the `[ s ^2 ]`
//! syntax of CPLEX's QCP extension), `Bounds`, `Binaries`, `Generals`, `End`. Comment
//! lines start with `\`; long expressions are wrapped (CPLEX reads lines up to 510
//! characters).

use std::io::{self, Write};

use crate::engine::lp::Sense;

use super::{write_num, Column, Problem};

/// Characters after which an expression continues on a new line.
const WRAP: usize = 200;

/// Writes `p` in LP format.
pub fn write_lp(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    for c in &p.comments {
        writeln!(w, "\\ {c}")?;
    }
    writeln!(w, "Minimize")?;
    let objective: Vec<(usize, f64)> = p
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cost != 0.0)
        .map(|(j, c)| (j, c.cost))
        .collect();
    write!(w, " {}:", p.objective)?;
    if objective.is_empty() && !p.columns.is_empty() {
        write!(w, " 0 {}", p.columns[0].name)?;
    }
    write_terms(p, &objective, w)?;
    writeln!(w)?;
    writeln!(w, "Subject To")?;
    let mut appears = vec![false; p.columns.len()];
    for r in &p.rows {
        write!(w, " {}:", r.name)?;
        write_terms(p, &r.terms, w)?;
        for &(j, _) in &r.terms {
            appears[j] = true;
        }
        write!(w, " {} ", sense(r.sense))?;
        write_num(w, r.rhs)?;
        writeln!(w)?;
    }
    for q in &p.squares {
        let (s, t) = (&p.columns[q.s].name, &p.columns[q.t].name);
        writeln!(w, " {}: - {t} + [ {s} ^2 ] <= 0", q.name)?;
        appears[q.s] = true;
        appears[q.t] = true;
    }
    for (j, c) in p.columns.iter().enumerate() {
        appears[j] |= c.cost != 0.0;
    }
    write_bounds(p, &appears, w)?;
    write_integers(p, w)?;
    writeln!(w, "End")
}

fn sense(s: Sense) -> &'static str {
    match s {
        Sense::Le => "<=",
        Sense::Ge => ">=",
        Sense::Eq => "=",
    }
}

/// ` + 3 x - y + 2.5 z`, wrapped; the first term keeps its sign only when negative.
fn write_terms(p: &Problem, terms: &[(usize, f64)], w: &mut impl Write) -> io::Result<()> {
    let mut line = 0usize;
    for (k, &(j, a)) in terms.iter().enumerate() {
        if line > WRAP {
            write!(w, "\n   ")?;
            line = 0;
        }
        let name = &p.columns[j].name;
        let sign = if a < 0.0 { "-" } else { "+" };
        if k > 0 || a < 0.0 {
            write!(w, " {sign}")?;
        }
        let m = a.abs();
        if m == 1.0 {
            write!(w, " {name}")?;
        } else {
            write!(w, " ")?;
            write_num(w, m)?;
            write!(w, " {name}")?;
        }
        line += name.len() + 12;
    }
    Ok(())
}

fn write_bounds(p: &Problem, appears: &[bool], w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "Bounds")?;
    for (c, &seen) in p.columns.iter().zip(appears) {
        if is_binary(c) {
            continue;
        }
        let n = &c.name;
        if c.lower == c.upper {
            write!(w, " {n} = ")?;
            write_num(w, c.lower)?;
        } else if c.upper.is_finite() {
            write!(w, " ")?;
            if c.lower != 0.0 || !seen {
                write_num(w, c.lower)?;
                write!(w, " <= ")?;
            }
            write!(w, "{n} <= ")?;
            write_num(w, c.upper)?;
        } else if c.lower != 0.0 || !seen {
            write!(w, " {n} >= ")?;
            write_num(w, c.lower)?;
        } else {
            continue;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn is_binary(c: &Column) -> bool {
    c.integer && c.lower == 0.0 && c.upper == 1.0
}

fn write_integers(p: &Problem, w: &mut impl Write) -> io::Result<()> {
    let binaries: Vec<&str> = p
        .columns
        .iter()
        .filter(|c| is_binary(c))
        .map(|c| c.name.as_str())
        .collect();
    let generals: Vec<&str> = p
        .columns
        .iter()
        .filter(|c| c.integer && !is_binary(c))
        .map(|c| c.name.as_str())
        .collect();
    for (title, names) in [("Binaries", binaries), ("Generals", generals)] {
        if names.is_empty() {
            continue;
        }
        writeln!(w, "{title}")?;
        for n in names {
            writeln!(w, " {n}")?;
        }
    }
    Ok(())
}
