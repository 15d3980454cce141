//! Option values valid by construction. Each type holds only numbers of its domain, so
//! options built from them (`SolveOptions`, `StressOptions`, `RobustOptions`,
//! `FrontierOptions`, `SamplingOptions`) need no checking where they are used: a value is
//! checked once, where it is made — [`Level::new`] and the like for a library caller,
//! [`std::str::FromStr`] for a command-line flag (clap names the flag in its message),
//! `literal` for a constant (out of domain, it does not compile in a `const`).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Defines a floating-point value type with its domain, the words for it and an example.
macro_rules! real {
    ($(#[$doc:meta])* $name:ident, |$v:ident| $domain:expr, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(f64);

        // The domain is written as comparisons: `contains` is not a `const fn`.
        #[allow(clippy::manual_range_contains)]
        impl $name {
            #[doc = concat!("`v` if it is ", $expected, "; a usage error naming it otherwise.")]
            pub fn new(v: f64) -> Result<Self> {
                Self::parse(v).map_err(Error::Usage)
            }

            #[doc = concat!("`v`, which must be ", $expected, ": for constants (out of \
                domain it panics, so a `const` holding one does not compile).")]
            pub const fn literal(v: f64) -> Self {
                let $v = v;
                assert!($domain, concat!("expected ", $expected));
                $name(v)
            }

            /// The number.
            pub const fn get(self) -> f64 {
                self.0
            }

            fn parse(v: f64) -> std::result::Result<Self, String> {
                let $v = v;
                if $domain {
                    Ok($name(v))
                } else {
                    Err(format!("{v} is out of range; expected {}", $expected))
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> std::result::Result<Self, String> {
                let v: f64 = s
                    .trim()
                    .parse()
                    .map_err(|_| format!("{s:?} is not a number; expected {}", $expected))?;
                Self::parse(v)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

real!(
    /// A CVaR level α in [0, 1): CVaR is the mean cost of the worst 1 − α (at 0, the
    /// expected cost).
    Level,
    |v| v >= 0.0 && v < 1.0,
    "a level in [0, 1), e.g. 0.95"
);

real!(
    /// A finite number ≥ 0 (a spot premium, a weight).
    NonNegative,
    |v| v >= 0.0 && v.is_finite(),
    "a finite number ≥ 0, e.g. 0.25"
);

real!(
    /// A fraction in [0, 1] (a relative MIP gap, a capacity factor).
    Fraction,
    |v| v >= 0.0 && v <= 1.0,
    "a number from 0 to 1"
);

real!(
    /// A positive, finite number of seconds.
    Seconds,
    |v| v > 0.0 && v.is_finite(),
    "a positive number of seconds, e.g. 60"
);

/// A whole number from `MIN` to `MAX` (frontier points, samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Count<const MIN: u64, const MAX: u64>(u64);

impl<const MIN: u64, const MAX: u64> Count<MIN, MAX> {
    /// `n` if it lies in `MIN..=MAX`; a usage error naming it otherwise.
    pub fn new(n: u64) -> Result<Self> {
        Self::parse(n).map_err(Error::Usage)
    }

    /// `n`, which must lie in `MIN..=MAX`: for constants (out of range it panics, so a
    /// `const` holding one does not compile).
    pub const fn literal(n: u64) -> Self {
        assert!(n >= MIN && n <= MAX, "count out of range");
        Count(n)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    fn parse(n: u64) -> std::result::Result<Self, String> {
        if (MIN..=MAX).contains(&n) {
            Ok(Count(n))
        } else {
            Err(format!(
                "{n} is out of range; expected a whole number from {MIN} to {MAX}"
            ))
        }
    }
}

impl<const MIN: u64, const MAX: u64> FromStr for Count<MIN, MAX> {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let n: u64 = s.trim().parse().map_err(|_| {
            format!("{s:?} is not a whole number; expected one from {MIN} to {MAX}")
        })?;
        Self::parse(n)
    }
}

impl<const MIN: u64, const MAX: u64> fmt::Display for Count<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each type takes the ends of its domain it includes and refuses the ones it does
    /// not, NaN and infinities; text parses to the same answers.
    #[test]
    fn domains_have_the_stated_ends() {
        type Case = (
            &'static str,
            fn(f64) -> bool,
            &'static [f64],
            &'static [f64],
        );
        let cases: [Case; 4] = [
            (
                "level",
                |v| Level::new(v).is_ok(),
                &[0.0, 0.5, 0.999],
                &[1.0, -0.1],
            ),
            (
                "non-negative",
                |v| NonNegative::new(v).is_ok(),
                &[0.0, 1e300],
                &[-1e-9, f64::INFINITY],
            ),
            (
                "fraction",
                |v| Fraction::new(v).is_ok(),
                &[0.0, 1.0],
                &[1.01, -0.5],
            ),
            (
                "seconds",
                |v| Seconds::new(v).is_ok(),
                &[1e-3, 1e9],
                &[0.0, -1.0, f64::INFINITY],
            ),
        ];
        for (name, ok, good, bad) in cases {
            for &v in good {
                assert!(ok(v), "{name} refuses {v}");
            }
            for &v in bad.iter().chain(&[f64::NAN]) {
                assert!(!ok(v), "{name} takes {v}");
            }
        }
        assert_eq!("0.95".parse::<Level>().unwrap().get(), 0.95);
        let err = "1".parse::<Level>().unwrap_err();
        assert!(err.contains("[0, 1)"), "{err}");
        assert!("abc"
            .parse::<Seconds>()
            .unwrap_err()
            .contains("not a number"));
        assert!(matches!(Fraction::new(2.0), Err(Error::Usage(m)) if m.starts_with("2 is out")));
    }

    #[test]
    fn counts_take_exactly_their_range() {
        type Points = Count<2, 5>;
        assert!(Points::new(1).is_err() && Points::new(6).is_err());
        assert_eq!(Points::new(2).unwrap().get(), 2);
        assert_eq!("5".parse::<Points>().unwrap().get(), 5);
        assert!("-1".parse::<Points>().is_err());
        assert_eq!(Points::literal(3).to_string(), "3");
        assert_eq!(Level::literal(0.5).to_string(), "0.5");
    }
}
