//! Number formatting for files people open in spreadsheets: plain decimals, never an
//! exponent, rounded to 12 significant digits so float noise does not show.
//!
//! The rule: a value whose shortest round-trip form is at most 14 characters as a plain
//! decimal is written that way (`0.35`, `1234.5678`); a longer one is rounded to 12
//! significant digits (`0.666666666667`). Output files hold hundreds of thousands of
//! numbers, so the digits come from `ryu` (shortest round-trip digits without allocating)
//! and are laid out here; only a value whose 13th digit is an exact tie falls back to
//! `core::fmt`'s exact rounding.
//!
//! Why hand-written: no crate writes this format (`ryu` and `core::fmt` switch to
//! exponents, e.g. `1e-7`, which spreadsheets read as text in some locales, and neither
//! rounds to a fixed number of significant digits without an exponent); the digits
//! themselves come from `ryu`.

/// Significant digits kept in output.
const SIGNIFICANT: usize = 12;

/// Longest plain form (sign and point included) written without rounding.
const SHORT: usize = SIGNIFICANT + 2;

/// Formats `v` as a plain decimal (`1250`, `0.35`, `0.000001`), `-0` as `0`.
pub fn plain(v: f64) -> String {
    let mut buf = Vec::with_capacity(24);
    write_plain_bytes(&mut buf, v);
    // Only ASCII digits, '-' and '.' are written.
    String::from_utf8(buf).unwrap_or_default()
}

/// Appends `v` as [`plain`] does, as bytes; nothing for a non-finite value.
pub fn write_plain_bytes(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        return;
    }
    let mut ryu_buf = ryu::Buffer::new();
    let d = Decimal::parse(ryu_buf.format_finite(v).as_bytes());
    if d.plain_len() <= SHORT {
        d.write(out);
    } else {
        match d.round_to(SIGNIFICANT) {
            Some(r) => r.write(out),
            None => exact_rounding(v).write(out),
        }
    }
}

/// Appends `v` as [`plain`] does, with `decimal` (`.` or `,`) as the decimal separator.
pub fn write_plain_in(out: &mut Vec<u8>, v: f64, decimal: u8) {
    let start = out.len();
    write_plain_bytes(out, v);
    if decimal != b'.' {
        if let Some(p) = out[start..].iter().position(|&b| b == b'.') {
            out[start + p] = decimal;
        }
    }
}

/// Appends the shortest decimal that reads back as exactly `v`, without an exponent
/// (`0.1`, `1250`, `0.0000001`): for files whose numbers must round-trip (model
/// conversion); nothing for a non-finite value.
pub fn write_exact_bytes(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        return;
    }
    let mut ryu_buf = ryu::Buffer::new();
    Decimal::parse(ryu_buf.format_finite(v).as_bytes()).write(out);
}

/// [`write_exact_bytes`] as a string.
#[cfg(test)]
pub fn exact(v: f64) -> String {
    let mut buf = Vec::with_capacity(24);
    write_exact_bytes(&mut buf, v);
    String::from_utf8(buf).unwrap_or_default()
}

/// `v` as the number [`plain`] writes (rounded to 12 significant digits where longer):
/// the value a reader of the CSV gets, so JSON and workbooks can carry the same one.
pub fn written(v: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    plain(v).parse().unwrap_or(v)
}

/// The exact decimal sum of `values` as [`plain`] writes each of them, as a plain
/// decimal (no exponent, no trailing zeros): a totals row written this way re-sums
/// exactly from the rows above it. `None` when the sum needs more than 38 digits (values
/// some 10^25 apart); non-finite values (written empty) count as 0.
pub fn written_sum(values: impl IntoIterator<Item = f64>) -> Option<String> {
    // Each value as a whole number of 10^-places.
    let mut terms: Vec<(i128, u32)> = Vec::new();
    let mut places = 0u32;
    for v in values {
        let text = plain(v);
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let negative = int.starts_with('-');
        let digits: String = int
            .trim_start_matches('-')
            .chars()
            .chain(frac.chars())
            .collect();
        if digits.is_empty() {
            continue;
        }
        let m: i128 = digits.parse().ok()?;
        let f = frac.len() as u32;
        places = places.max(f);
        terms.push((if negative { -m } else { m }, f));
    }
    let mut sum: i128 = 0;
    for (m, f) in terms {
        let scaled = m.checked_mul(10i128.checked_pow(places - f)?)?;
        sum = sum.checked_add(scaled)?;
    }
    Some(fixed_point(sum, places))
}

/// `units` · 10^-places as a plain decimal without trailing zeros.
fn fixed_point(units: i128, places: u32) -> String {
    let digits = units.unsigned_abs().to_string();
    let p = places as usize;
    let padded = format!("{digits:0>width$}", width = p + 1);
    let (int, frac) = padded.split_at(padded.len() - p);
    let frac = frac.trim_end_matches('0');
    let sign = if units < 0 { "-" } else { "" };
    match frac.is_empty() {
        true => format!("{sign}{int}"),
        false => format!("{sign}{int}.{frac}"),
    }
}

/// A finite decimal ±0.d₁d₂…dₙ × 10^point, with d₁ ≠ 0 (or n = 0 for zero).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    negative: bool,
    digits: [u8; 20],
    len: usize,
    /// Position of the decimal point relative to the first digit.
    point: i32,
}

impl Decimal {
    /// Reads what `ryu` or `{:e}` writes: `-1.2345e-7`, `1234.5`, `0.001`, `1e16`.
    fn parse(text: &[u8]) -> Decimal {
        let mut d = Decimal {
            negative: false,
            digits: [0; 20],
            len: 0,
            point: 0,
        };
        let mut i = 0;
        if text.first() == Some(&b'-') {
            d.negative = true;
            i = 1;
        }
        let mut seen_point = false;
        let mut int_digits = 0i32;
        let mut leading_zeros = 0i32;
        while i < text.len() {
            match text[i] {
                b'.' => seen_point = true,
                b'0'..=b'9' => {
                    let digit = text[i] - b'0';
                    if d.len == 0 && digit == 0 {
                        // A leading zero: it only moves the point when after it.
                        if seen_point {
                            leading_zeros += 1;
                        }
                    } else {
                        if d.len < d.digits.len() {
                            d.digits[d.len] = digit;
                            d.len += 1;
                        }
                        if !seen_point {
                            int_digits += 1;
                        }
                    }
                }
                b'e' | b'E' => break,
                _ => {}
            }
            i += 1;
        }
        let exponent: i32 = if i < text.len() {
            std::str::from_utf8(&text[i + 1..])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        } else {
            0
        };
        while d.len > 0 && d.digits[d.len - 1] == 0 {
            d.len -= 1;
        }
        d.point = if int_digits > 0 {
            int_digits
        } else {
            -leading_zeros
        } + exponent;
        if d.len == 0 {
            d.negative = false;
            d.point = 0;
        }
        d
    }

    /// Length of the plain form as written by [`Decimal::write`].
    fn plain_len(&self) -> usize {
        if self.len == 0 {
            return 1;
        }
        let n = self.len as i32;
        let body = if self.point <= 0 {
            2 - self.point + n
        } else if self.point < n {
            n + 1
        } else {
            self.point
        };
        body as usize + usize::from(self.negative)
    }

    /// Rounded half-up to `sig` significant digits, or `None` when the digits stop exactly
    /// at a tie (…5 in position `sig + 1`), where the shortest digits cannot tell which way
    /// the exact binary value rounds.
    ///
    /// Elsewhere rounding the shortest digits agrees with rounding the exact value: the
    /// exact value and its shortest digits are both inside the value's rounding interval,
    /// which is far narrower than the spacing of (sig + 1)-digit decimals, so no rounding
    /// boundary lies between them unless the shortest digits are that boundary.
    fn round_to(&self, sig: usize) -> Option<Decimal> {
        if self.len <= sig {
            return Some(*self);
        }
        if self.len == sig + 1 && self.digits[sig] == 5 {
            return None;
        }
        let mut r = *self;
        r.len = sig;
        if self.digits[sig] >= 5 {
            let mut k = sig;
            loop {
                if k == 0 {
                    // 99…9 rounded up: 1 followed by zeros, one place higher.
                    r.digits[0] = 1;
                    r.len = 1;
                    r.point += 1;
                    break;
                }
                k -= 1;
                if r.digits[k] == 9 {
                    r.digits[k] = 0;
                    r.len = k;
                } else {
                    r.digits[k] += 1;
                    r.len = k + 1;
                    break;
                }
            }
        }
        while r.len > 0 && r.digits[r.len - 1] == 0 {
            r.len -= 1;
        }
        Some(r)
    }

    /// Writes the plain form: no exponent, no trailing zeros after the point, `0` for zero.
    fn write(&self, out: &mut Vec<u8>) {
        if self.len == 0 {
            out.push(b'0');
            return;
        }
        if self.negative {
            out.push(b'-');
        }
        let digits = &self.digits[..self.len];
        let ascii = |d: &u8| d + b'0';
        let n = self.len as i32;
        if self.point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-self.point) as usize));
            out.extend(digits.iter().map(ascii));
        } else if self.point < n {
            let p = self.point as usize;
            out.extend(digits[..p].iter().map(ascii));
            out.push(b'.');
            out.extend(digits[p..].iter().map(ascii));
        } else {
            out.extend(digits.iter().map(ascii));
            out.extend(std::iter::repeat_n(b'0', (self.point - n) as usize));
        }
    }
}

/// `v` rounded to [`SIGNIFICANT`] digits from its exact binary value (slow path).
fn exact_rounding(v: f64) -> Decimal {
    let text = format!("{:.*e}", SIGNIFICANT - 1, v);
    Decimal::parse(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formatting rule stated the slow, obvious way: shortest `Display` form if short,
    /// else `{:.11e}` (exact rounding), parsed back and displayed.
    fn reference(v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        if v.fract() == 0.0 && v.abs() < 1e15 {
            return format!("{}", v as i64);
        }
        let shortest = format!("{v}");
        if shortest.len() <= SHORT {
            return shortest;
        }
        let rounded: f64 = format!("{:.*e}", SIGNIFICANT - 1, v).parse().unwrap();
        if rounded == 0.0 {
            "0".into()
        } else {
            format!("{rounded}")
        }
    }

    #[test]
    fn exact_decimals_round_trip() {
        for v in [
            0.1,
            1250.0,
            1e-7,
            2.0 / 3.0,
            498.00000000000006,
            1.5e300,
            -3.25,
            1e21,
        ] {
            let s = exact(v);
            assert!(!s.contains('e'), "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(exact(0.1), "0.1");
        assert_eq!(written(498.00000000000006), 498.0);
        let mut eu = Vec::new();
        write_plain_in(&mut eu, 1234.5, b',');
        assert_eq!(eu, b"1234,5");
    }

    #[test]
    fn written_sums_are_exact_decimal_sums() {
        assert_eq!(written_sum([0.1, 0.2]).unwrap(), "0.3");
        assert_eq!(
            written_sum([1e6, 1e-11, -2.5]).unwrap(),
            "999997.50000000001"
        );
        assert_eq!(written_sum([2.0 / 3.0, 1.0]).unwrap(), "1.666666666667");
        assert_eq!(written_sum([-0.25, 0.25]).unwrap(), "0");
        assert_eq!(written_sum([-0.75, 0.25]).unwrap(), "-0.5");
        assert_eq!(written_sum([f64::NAN, 7.0]).unwrap(), "7");
        assert_eq!(written_sum([]).unwrap(), "0");
        assert_eq!(written_sum([1e30, 1e-12]), None);
    }

    #[test]
    fn plain_decimals() {
        assert_eq!(plain(1250.0), "1250");
        assert_eq!(plain(0.1 + 0.2), "0.3");
        assert_eq!(plain(-0.0), "0");
        assert_eq!(plain(1e-7), "0.0000001");
        assert_eq!(plain(1e21), "1000000000000000000000");
        assert_eq!(plain(2.0 / 3.0), "0.666666666667");
        assert_eq!(plain(-2.0 / 3.0), "-0.666666666667");
        assert_eq!(plain(0.9999999999999), "1");
        assert_eq!(plain(99999.99999999999), "100000");
        assert_eq!(plain(1.5e-300).len(), 303); // "0." and 299 zeros before "15"
        assert_eq!(plain(f64::NAN), "");
        assert_eq!(plain(f64::INFINITY), "");
    }

    #[test]
    fn ties_at_the_thirteenth_digit_round_like_the_exact_value() {
        // 13 significant digits ending in 5: the binary value lies just above or below.
        for v in [
            0.1234567890125,
            1.234567890125,
            1234567.890125,
            0.0000001234567890125,
            -2.000000000005,
        ] {
            assert_eq!(plain(v), reference(v), "{v:e}");
        }
    }

    #[test]
    fn agrees_with_the_reference_rule_on_many_values() {
        // Deterministic pseudo-random doubles over many magnitudes, plus quantities and
        // shares of the kind solves produce (ratios, sums of prices).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400_000 {
            let bits = next();
            let mantissa = (bits >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (next() % 40) as i32 - 20;
            let sign = if bits & 1 == 0 { 1.0 } else { -1.0 };
            let v = sign * mantissa * 10f64.powi(exponent);
            assert_eq!(plain(v), reference(v), "{v:e}");
            let q = (next() % 1_000_000) as f64 / ((next() % 997) + 1) as f64;
            assert_eq!(plain(q), reference(q), "{q:e}");
            let f = f64::from_bits(next());
            assert_eq!(plain(f), reference(f), "{f:e}");
        }
    }
}
