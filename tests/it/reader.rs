//! The suppliers.csv reader against an independent reading of the same bytes: the csv
//! crate splits the records, the test trims cells and parses numbers with
//! `str::parse::<f64>`, and the model's offers must equal what that gives, field for
//! field and bit for bit, on random files with quoted names (holding separators and
//! quotes) and notes (holding line breaks), CRLF, a BOM, blank lines, spaces around cells, columns in any
//! order, an unknown column, and Excel's `;`/decimal-comma dialect; some files are large
//! enough to be read in parallel pieces.

use sourcemix::input::{parse_model, ModelFiles};

use crate::common::TestRng;

/// One offer as the test reads it: supplier, mineral (lower case), country, unit_cost,
/// capacity, freight, min_order, fixed_cost, line.
type Expected = (String, String, String, f64, Option<f64>, f64, f64, f64, u64);

const MINERALS: [&str; 3] = ["gallium", "Germanium", "graphite"];

/// A number as a spreadsheet might write it.
fn number_text(rng: &mut TestRng) -> String {
    let v = (rng.next_u64() % 10_000_000) as f64 / 10f64.powi(rng.below(6) as i32);
    match rng.below(5) {
        0 => format!("{v:e}"),
        1 => format!("+{v}"),
        2 if v.fract() == 0.0 => format!("{v}."),
        3 => format!("{v:.3}"),
        _ => format!("{v}"),
    }
}

/// A supplier id, unique by `k`, sometimes with characters that need quoting (names
/// hold no line breaks: the reader refuses them).
fn supplier(rng: &mut TestRng, k: usize, sep: char) -> (String, String) {
    let name = match rng.below(8) {
        0 => format!("Acme{sep} Inc {k}"),
        1 => format!("the \"best\" {k}"),
        2 => format!("{sep}{sep} {k}"),
        3 => format!("Société {k}"),
        _ => format!("s{k}"),
    };
    let needs_quotes = name.contains([sep, '"', '\n']) || rng.below(10) == 0;
    let cell = if needs_quotes {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.clone()
    };
    (name, cell)
}

/// A random suppliers.csv (and what it holds, by line).
fn random_file(rng: &mut TestRng, rows: usize, eu: bool) -> Vec<u8> {
    let sep = if eu { ';' } else { ',' };
    let mut columns = vec![
        "supplier",
        "mineral",
        "country",
        "unit_cost",
        "capacity",
        "freight",
        "min_order",
        "fixed_cost",
        "note",
    ];
    for k in (1..columns.len()).rev() {
        columns.swap(k, rng.below(k as u64 + 1) as usize);
    }
    let eol = if rng.below(2) == 0 { "\r\n" } else { "\n" };
    let mut text = String::new();
    if rng.below(2) == 0 {
        text.push('\u{feff}');
    }
    text.push_str(&columns.join(&sep.to_string()));
    text.push_str(eol);
    for k in 0..rows {
        if rng.below(50) == 0 {
            text.push_str(if rng.below(2) == 0 { eol } else { "  \n" });
        }
        let cells: Vec<String> = columns
            .iter()
            .map(|&c| {
                let cell = match c {
                    "supplier" => supplier(rng, k, sep).1,
                    "mineral" => {
                        let m = MINERALS[if k < 3 { k } else { rng.below(3) as usize }];
                        if rng.below(3) == 0 {
                            m.to_uppercase()
                        } else {
                            m.to_string()
                        }
                    }
                    "country" => ["AUS", "chn", "Can", "DEU"][rng.below(4) as usize].into(),
                    "unit_cost" => number_text(rng),
                    "note" => [
                        "",
                        "n/a",
                        "\"see, below\"",
                        "\"two\nlines\"",
                        "\"\"\"\r\n\"",
                    ][rng.below(5) as usize]
                        .into(),
                    _ if rng.below(3) == 0 => String::new(),
                    _ => number_text(rng),
                };
                let cell = if eu && !cell.starts_with('"') {
                    cell.replace('.', ",")
                } else {
                    cell
                };
                match rng.below(6) {
                    0 if !cell.starts_with('"') => format!(" {cell} "),
                    _ => cell,
                }
            })
            .collect();
        text.push_str(&cells.join(&sep.to_string()));
        if k + 1 < rows || rng.below(2) == 0 {
            text.push_str(eol);
        }
    }
    text.into_bytes()
}

/// The offers of `bytes` read with the csv crate, in file order.
fn independent(bytes: &[u8], eu: bool) -> Vec<Expected> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if eu { b';' } else { b',' })
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut records = reader.records();
    let header: Vec<String> = records
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let number = |text: &str| -> f64 {
        let text = if eu {
            text.replace(',', ".")
        } else {
            text.to_string()
        };
        text.parse().unwrap()
    };
    let mut out = Vec::new();
    let (mut line, mut counted) = (1, 0);
    for record in records {
        let record = record.unwrap();
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        let mut at = record.position().unwrap().byte() as usize;
        while matches!(body.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        line += body[counted..at].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = at;
        let cell = |name: &str| record[col(name)].trim().to_string();
        let optional = |name: &str| {
            Some(cell(name))
                .filter(|c| !c.is_empty())
                .map(|c| number(&c))
        };
        out.push((
            cell("supplier"),
            cell("mineral").to_lowercase(),
            cell("country").to_uppercase(),
            number(&cell("unit_cost")),
            optional("capacity"),
            optional("freight").unwrap_or(0.0),
            optional("min_order").unwrap_or(0.0),
            optional("fixed_cost").unwrap_or(0.0),
            line,
        ));
    }
    out
}

/// A random suppliers.csv of `rows` rows and its demand.csv.
fn model_files(seed: u64, rows: usize, eu: bool) -> (Vec<u8>, &'static str) {
    let mut rng = TestRng::new(seed);
    let suppliers = random_file(&mut rng, rows, eu);
    let demand = if eu {
        "mineral;quantity\ngallium;10\ngermanium;20\ngraphite;30\n"
    } else {
        "mineral,quantity\ngallium,10\ngermanium,20\ngraphite,30\n"
    };
    (suppliers, demand)
}

fn check(seed: u64, rows: usize, eu: bool) {
    let (suppliers, demand) = model_files(seed, rows, eu);
    let files = ModelFiles::from_memory(&[
        ("suppliers.csv", suppliers.as_slice()),
        ("demand.csv", demand.as_bytes()),
    ]);
    let model = parse_model(&files).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    compare(&model, &suppliers, eu, seed);
}

/// The offers of `model` equal the independent reading of `suppliers`.
fn compare(model: &sourcemix::model::Model, suppliers: &[u8], eu: bool, seed: u64) {
    let mut want = independent(suppliers, eu);
    // The model groups offers by mineral (sorted by key), file order within one.
    want.sort_by_key(|w| w.1.clone());
    assert_eq!(model.offers.len(), want.len(), "seed {seed}");
    for (o, w) in model.offers.iter().zip(&want) {
        let got: Expected = (
            o.supplier.to_string(),
            model.minerals[o.mineral].name.to_lowercase(),
            model.countries[o.country].code.to_string(),
            o.unit_cost,
            o.capacity,
            o.freight,
            o.min_order,
            o.fixed_cost,
            o.line,
        );
        let bits = |e: &Expected| {
            (
                e.3.to_bits(),
                e.4.map(f64::to_bits),
                e.5.to_bits(),
                e.6.to_bits(),
                e.7.to_bits(),
            )
        };
        assert_eq!(
            (&got.0, &got.1, &got.2, got.8),
            (&w.0, &w.1, &w.2, w.8),
            "seed {seed}"
        );
        assert_eq!(bits(&got), bits(w), "seed {seed}, line {}", w.8);
        assert_eq!(o.landed_cost.to_bits(), (o.unit_cost + o.freight).to_bits());
    }
}

#[test]
fn offers_equal_an_independent_csv_reading() {
    for seed in 0..40 {
        check(seed, 3 + (seed as usize * 37) % 300, seed % 4 == 3);
    }
}

/// Files of 1.5 MB and more are read in parallel pieces; quoted notes with line breaks
/// fall across their ends.
#[test]
fn large_files_read_in_pieces_equal_an_independent_reading() {
    check(100, 40_000, false);
    check(101, 40_000, true);
}

/// A large suppliers.csv read from disk is mapped rather than read
/// (src/input/bytes.rs): the offers equal the independent reading all the same.
#[test]
fn large_files_mapped_from_disk_equal_an_independent_reading() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, eu) in [(102, false), (103, true)] {
        let (suppliers, demand) = model_files(seed, 40_000, eu);
        assert!(suppliers.len() > 1 << 20);
        std::fs::write(dir.path().join("suppliers.csv"), &suppliers).unwrap();
        std::fs::write(dir.path().join("demand.csv"), demand).unwrap();
        let model =
            sourcemix::input::load_model(dir.path()).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        compare(&model, &suppliers, eu, seed);
    }
}
