//! Row and column names of an exported model: readable (`x_gallium_ga-chn-1`,
//! `cap_gallium_CHN`), restricted to the characters the file format allows, and unique
//! (a name already taken gets `_2`, `_3`, … in the order names are made, so the same
//! model always gets the same names).

use rustc_hash::FxHashSet;

use super::ExportFormat;

/// Longest name written, in bytes, before a uniqueness suffix: CPLEX LP readers accept
/// names up to 255 characters.
const MAX_NAME: usize = 240;

/// Makes names for one file.
#[derive(Debug)]
pub struct Namer {
    format: ExportFormat,
    taken: FxHashSet<String>,
}

impl Namer {
    /// A namer for `format` with no name taken.
    pub fn new(format: ExportFormat) -> Self {
        Namer {
            format,
            taken: FxHashSet::default(),
        }
    }

    /// The name for `raw`: sanitized for the format, and unique among the names this
    /// namer has made (rows and columns share one namespace).
    pub fn name(&mut self, raw: &str) -> String {
        let base = sanitize(raw, self.format);
        if self.taken.insert(base.clone()) {
            return base;
        }
        let mut k = 2usize;
        loop {
            let candidate = format!("{base}_{k}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            k += 1;
        }
    }
}

/// `raw` with every character the format does not allow replaced by `_`, shortened to
/// [`MAX_NAME`] bytes, and (LP format) prefixed with `_` when it would start with a digit,
/// a period or the letter e (which LP readers take for a number or an exponent).
///
/// * MPS (free format): any printable ASCII character except space.
/// * LP (CPLEX): letters, digits, `_` and `.` — a conservative subset of what CPLEX
///   allows, which other LP readers (HiGHS, CBC, Gurobi, SCIP) read alike.
pub fn sanitize(raw: &str, format: ExportFormat) -> String {
    let allowed = |c: char| match format {
        ExportFormat::Mps => c.is_ascii_graphic(),
        ExportFormat::Lp => c.is_ascii_alphanumeric() || c == '_' || c == '.',
    };
    let mut out = String::with_capacity(raw.len().min(MAX_NAME) + 1);
    if format == ExportFormat::Lp {
        if let Some(first) = raw.chars().next() {
            if first.is_ascii_digit() || matches!(first, '.' | 'e' | 'E') {
                out.push('_');
            }
        }
    }
    for c in raw.chars() {
        if out.len() >= MAX_NAME {
            break;
        }
        out.push(if allowed(c) { c } else { '_' });
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitized_per_format() {
        assert_eq!(
            sanitize("x_ga_ga-chn 1", ExportFormat::Mps),
            "x_ga_ga-chn_1"
        );
        assert_eq!(sanitize("x_ga_ga-chn 1", ExportFormat::Lp), "x_ga_ga_chn_1");
        assert_eq!(sanitize("e1", ExportFormat::Lp), "_e1");
        assert_eq!(sanitize("9x", ExportFormat::Lp), "_9x");
        assert_eq!(sanitize("9x", ExportFormat::Mps), "9x");
        assert_eq!(sanitize("café", ExportFormat::Mps), "caf_");
        assert_eq!(sanitize("", ExportFormat::Lp), "_");
        assert_eq!(sanitize(&"a".repeat(300), ExportFormat::Lp).len(), MAX_NAME);
    }

    #[test]
    fn unique_in_order() {
        let mut n = Namer::new(ExportFormat::Lp);
        assert_eq!(n.name("x_a-b"), "x_a_b");
        assert_eq!(n.name("x_a_b"), "x_a_b_2");
        assert_eq!(n.name("x_a b"), "x_a_b_3");
        // A raw name equal to an earlier suffixed one still gets a fresh name.
        assert_eq!(n.name("x_a_b_2"), "x_a_b_2_2");
    }
}
