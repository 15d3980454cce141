//! Strict parsing of the plain decimal numbers SPEC §1 allows (`1250`, `0.35`, `1e3`).

/// Parses a plain decimal number; on failure returns what was expected, in words.
///
/// Accepted: an optional sign, digits with an optional decimal point, an optional
/// exponent. Rejected with a hint: thousands separators, percent signs, `NaN`, `inf`,
/// and anything too large to be finite.
#[inline]
pub fn parse_plain_number(text: &str) -> Result<f64, String> {
    match parse_fast(text) {
        Some(v) => Ok(v),
        None => slow_plain_number(text),
    }
}

/// [`parse_plain_number`] of a text its fast path does not read: the value of a plain
/// decimal it leaves to `str::parse`, or what is wrong.
#[cold]
fn slow_plain_number(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err("is empty; expected a number".into());
    }
    if !is_plain_decimal(text) {
        let lower = text.to_ascii_lowercase();
        let hint = if text.contains(',') {
            format!(
                "is not a plain number; write it without separators, e.g. {}",
                text.replace(',', "")
            )
        } else if let Some(stripped) = text.strip_suffix('%') {
            match stripped.trim().parse::<f64>() {
                Ok(p) => format!("is a percentage; write the fraction {}", p / 100.0),
                Err(_) => "is not a plain number; write a fraction like 0.12".into(),
            }
        } else if lower.contains("nan") || lower.contains("inf") {
            "is not a finite number; expected a plain decimal like 1250 or 0.35".into()
        } else {
            "is not a plain number; expected a decimal like 1250, 0.35 or 1e3".into()
        };
        return Err(hint);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err("is too large; expected a finite number".into()),
    }
}

/// A finite plain decimal read in one pass, or `None` for anything else (then
/// [`parse_plain_number`] tells what is wrong). fast-float2's grammar is the plain one plus
/// `inf`/`nan`/`infinity` (with a sign), which cannot start with a digit or a point; it
/// must read every byte.
#[inline]
fn parse_fast(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if let Some(v) = parse_short(b) {
        return Some(v);
    }
    let start = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b
        .get(start)
        .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
    {
        return None;
    }
    match fast_float2::parse_partial::<f64, _>(b) {
        Ok((v, read)) if read == b.len() && v.is_finite() => Some(v),
        _ => None,
    }
}

/// The value of `d+ (. d*)? | . d+` with at most 15 digits, the common cell (`100.86`,
/// `2041`); `None` for anything else. Exact: the digits as an integer are below 10^15 <
/// 2^53 and the power of ten is at most 10^15, both exact in f64, so their quotient is one
/// correctly rounded IEEE division of exact operands, i.e. the correctly rounded value of
/// the decimal (Clinger's fast path, which fast-float2 also takes, after more checks).
#[inline]
fn parse_short(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    if b.len() > 16 {
        return None;
    }
    let (mut m, mut digits, mut point) = (0u64, 0usize, None);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    let fraction = point.map_or(0, |p| b.len() - p - 1);
    Some(m as f64 / POW10[fraction])
}

/// True for `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`.
fn is_plain_decimal(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// The range a numeric column accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Any finite number ≥ 0.
    NonNegative,
    /// Any finite number > 0.
    Positive,
    /// A fraction in [0, 1].
    Fraction,
    /// A whole number ≥ 0.
    Count,
}

impl Domain {
    /// Checks `value`; on failure returns what was expected, in words.
    pub fn check(self, value: f64) -> Result<(), &'static str> {
        let ok = match self {
            Domain::NonNegative => value >= 0.0,
            Domain::Positive => value > 0.0,
            Domain::Fraction => (0.0..=1.0).contains(&value),
            Domain::Count => value >= 0.0 && value.fract() == 0.0 && value <= 1e9,
        };
        if ok {
            Ok(())
        } else {
            Err(self.expected())
        }
    }

    /// What the domain accepts, in words.
    pub fn expected(self) -> &'static str {
        match self {
            Domain::NonNegative => "expected a number ≥ 0",
            Domain::Positive => "expected a number > 0",
            Domain::Fraction => "expected a fraction between 0 and 1",
            Domain::Count => "expected a whole number ≥ 0",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_decimals() {
        for (text, value) in [
            ("1250", 1250.0),
            ("0.35", 0.35),
            ("1e3", 1000.0),
            ("-2", -2.0),
            ("+.5", 0.5),
            ("5.", 5.0),
            ("2.5E-3", 0.0025),
        ] {
            assert_eq!(parse_plain_number(text), Ok(value), "{text}");
        }
    }

    #[test]
    fn rejects_with_hints() {
        assert!(parse_plain_number("1,250").unwrap_err().contains("1250"));
        assert!(parse_plain_number("12%").unwrap_err().contains("0.12"));
        for bad in [
            "NaN", "inf", "-inf", "infinity", "1e", "e3", ".", "", "0x10", "1 2", "1e999",
        ] {
            assert!(parse_plain_number(bad).is_err(), "{bad}");
        }
    }

    /// The one-pass parse accepts exactly the finite plain decimals, with the value of
    /// `str::parse::<f64>` to the bit: on edge cases (shortest round trips, subnormals,
    /// halfway cases, 20+ digits, overflow) and on random texts over the number alphabet.
    #[test]
    fn fast_path_equals_grammar_and_std_parse() {
        let check = |text: &str| {
            let want = (is_plain_decimal(text))
                .then(|| text.parse::<f64>().unwrap())
                .filter(|v| v.is_finite());
            let got = parse_fast(text);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{text:?}");
            if let Some(v) = want {
                assert_eq!(parse_plain_number(text).map(f64::to_bits), Ok(v.to_bits()));
            }
        };
        for text in [
            "0",
            "-0",
            "+0.0",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "2.2250738585072014e-308",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "9007199254740993",
            "0.1",
            "0.30000000000000004",
            "123456789012345678901234567890",
            "1.00000000000000011102230246251565404236316680908203125",
            ".5",
            "5.",
            "+.5e-3",
            "1e",
            "1e+",
            "e5",
            "+",
            "-",
            ".",
            "+-1",
            "1.2.3",
            "1_0",
            "0x1p3",
            "inf",
            "-infinity",
            "NaN",
            "1e999",
            "-1e999",
            "00012.50",
            "1E5",
            "1e05",
        ] {
            check(text);
        }
        let mut rng = crate::rng::Rng::new(15);
        const ALPHABET: &[u8] = b"0123456789012345678901234567890123456789..eE+-n";
        for _ in 0..200_000 {
            let len = 1 + rng.below(24) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char)
                .collect();
            check(&text);
        }
        for _ in 0..100_000 {
            // Values as files hold them: the shortest round trip of a random double.
            let v = f64::from_bits(rng.next_u64());
            if v.is_finite() {
                check(&format!("{v:e}"));
                check(&format!("{}", v.abs() % 1e7));
            }
        }
    }

    #[test]
    fn domains() {
        assert!(Domain::Fraction.check(1.0).is_ok());
        assert!(Domain::Fraction.check(1.01).is_err());
        assert!(Domain::Count.check(2.5).is_err());
        assert!(Domain::Count.check(3.0).is_ok());
        assert!(Domain::Positive.check(0.0).is_err());
        assert!(Domain::NonNegative.check(-0.1).is_err());
    }
}
