//! Number formatting for files people open in spreadsheets: plain decimals, never an
//! exponent, rounded to 12 significant digits so float noise does not show.

/// Significant digits kept in output.
const SIGNIFICANT: usize = 12;

/// Formats `v` as a plain decimal (`1250`, `0.35`, `0.000001`), `-0` as `0`.
pub fn plain(v: f64) -> String {
    let mut s = String::new();
    write_plain(&mut s, v);
    s
}

/// Appends `v` as [`plain`] does, without allocating for common values.
pub fn write_plain(out: &mut String, v: f64) {
    use std::fmt::Write;
    if !v.is_finite() {
        return;
    }
    // Fast paths: whole numbers, and values whose shortest form is already short.
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
        return;
    }
    let mark = out.len();
    let _ = write!(out, "{v}");
    if out.len() - mark <= SIGNIFICANT + 2 {
        return;
    }
    out.truncate(mark);
    let rounded: f64 = format!("{:.*e}", SIGNIFICANT - 1, v).parse().unwrap_or(v);
    if rounded == 0.0 {
        out.push('0');
    } else {
        let _ = write!(out, "{rounded}");
    }
}

/// Formats an optional number; `None` is an empty cell.
pub fn plain_opt(v: Option<f64>) -> String {
    v.map(plain).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals() {
        assert_eq!(plain(1250.0), "1250");
        assert_eq!(plain(0.1 + 0.2), "0.3");
        assert_eq!(plain(-0.0), "0");
        assert_eq!(plain(1e-7), "0.0000001");
        assert_eq!(plain(1e21), "1000000000000000000000");
        assert_eq!(plain(2.0 / 3.0), "0.666666666667");
        assert_eq!(plain(f64::NAN), "");
    }
}
