//! Numbers in the words of the rules: shares as percentages, bounds trimmed of zeros.

/// A share as a percentage with at most two decimals: 0.5 → "50%", 0.3125 → "31.25%".
pub fn percent(share: f64) -> String {
    format!("{}%", trimmed(share * 100.0, 2))
}

/// `v` with at most `decimals` decimals and no trailing zeros.
pub fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}
