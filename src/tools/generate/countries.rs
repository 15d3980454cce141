//! The countries of a generated model: the user-assigned codes `XAA` to `XZZ`, their risk,
//! groups, tariff and disruption probability (drawn from the seed), and countries.csv.

use std::io::{self, Write};

use super::{round_to, MAX_COUNTRIES};
use crate::rng::Rng;

/// One country as written to countries.csv.
#[derive(Debug, Clone)]
pub(super) struct Country {
    code: [u8; 3],
    /// Rounded to 4 decimals, as written.
    pub(super) risk: f64,
    pub(super) ally: bool,
    oecd: bool,
    /// 0 or 0.1.
    pub(super) tariff: f64,
    /// Rounded to 4 decimals, as written.
    disruption_prob: f64,
}

impl Country {
    pub(super) fn code(&self) -> &str {
        // The code is three ASCII capitals by construction.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }
}

fn country_code(i: usize) -> [u8; 3] {
    debug_assert!(i < MAX_COUNTRIES);
    [b'X', b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]
}

/// The `n` countries of seed `seed`, with at least two allies (one if `n` is 1).
pub(super) fn make_countries(seed: u64, n: usize) -> Vec<Country> {
    let mut rng = Rng::derive(seed, 0);
    let mut countries: Vec<Country> = (0..n)
        .map(|i| {
            // Draw every number unconditionally so that each country uses the same draws.
            let risk = round_to(rng.range_f64(0.05, 0.95), 4);
            let safety = 1.0 - (risk - 0.05) / 0.9; // 1 for the safest, 0 for the riskiest
            let ally = rng.f64() < (2.0 / 3.0) * safety;
            let oecd = rng.f64() < 0.5 * safety;
            let tariffed = rng.f64() < 0.15;
            let disruption_prob =
                round_to(0.01 + 0.19 * (0.5 * (1.0 - safety) + 0.5 * rng.f64()), 4);
            Country {
                code: country_code(i),
                risk,
                ally,
                oecd,
                tariff: if tariffed && !ally { 0.1 } else { 0.0 },
                disruption_prob,
            }
        })
        .collect();
    // At least two allies (one if there is a single country): tag the safest others.
    let wanted = n.min(2);
    let mut have = countries.iter().filter(|c| c.ally).count();
    while have < wanted {
        let pick = (0..n).filter(|&i| !countries[i].ally).min_by(|&a, &b| {
            countries[a]
                .risk
                .total_cmp(&countries[b].risk)
                .then(a.cmp(&b))
        });
        match pick {
            Some(i) => {
                countries[i].ally = true;
                countries[i].tariff = 0.0;
                have += 1;
            }
            None => break,
        }
    }
    countries
}

/// Writes countries.csv.
pub(super) fn write_countries(w: &mut impl Write, countries: &[Country]) -> io::Result<()> {
    writeln!(w, "country,risk,groups,tariff,disruption_prob")?;
    for c in countries {
        let groups = match (c.ally, c.oecd) {
            (true, true) => "ALLY;OECD",
            (true, false) => "ALLY",
            (false, true) => "OECD",
            (false, false) => "",
        };
        writeln!(
            w,
            "{},{:.4},{},{:.2},{:.4}",
            c.code(),
            c.risk,
            groups,
            c.tariff,
            c.disruption_prob
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::tools::generate::generate;
    use crate::tools::generate::read_back::{num, opts, parse};

    #[test]
    fn countries_have_distinct_codes_and_values_in_range() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(4, 1003, 60, 1)).unwrap();
        let (_, countries) = parse(&d.path().join("countries.csv"));
        // Countries: distinct three-letter codes, values in range, some allies.
        assert_eq!(countries.len(), 60);
        let codes: BTreeSet<&str> = countries.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(codes.len(), 60);
        let (mut allies, mut oecd, mut tariffed) = (0, 0, 0);
        for r in &countries {
            assert!(r[0].len() == 3 && r[0].bytes().all(|b| b.is_ascii_uppercase()));
            assert!((0.05..=0.95).contains(&num(&r[1])));
            allies += r[2].split(';').filter(|g| *g == "ALLY").count();
            oecd += r[2].split(';').filter(|g| *g == "OECD").count();
            let t = num(&r[3]);
            assert!(t == 0.0 || t == 0.1);
            tariffed += usize::from(t > 0.0);
            assert!((0.01..=0.2).contains(&num(&r[4])));
        }
        assert!((8..=35).contains(&allies), "{allies} allies");
        assert!((5..=30).contains(&oecd), "{oecd} OECD");
        assert!(tariffed < 20, "{tariffed} tariffed");
    }
}
