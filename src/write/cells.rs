//! What a row writer takes: the [`Cells`] sink every tabular writer implements (CSV
//! here, the workbook in `report::xlsx`) and the CSV [`Dialect`].

/// Where a row's cells go, one call per cell in column order, then [`Cells::end`].
pub trait Cells {
    /// A text cell.
    fn text(&mut self, s: &str) -> &mut Self;
    /// A number cell (non-finite values are written empty).
    fn num(&mut self, v: f64) -> &mut Self;
    /// A whole number.
    fn count(&mut self, n: usize) -> &mut Self;
    /// A number given by its decimal `digits` (`-`, digits and one `.`; no exponent),
    /// written as those digits (with the dialect's decimal separator) where the file is
    /// text, and as `v`, their nearest double, where it holds numbers. For values whose
    /// exact digits matter (a total that re-sums exactly, a probability read back).
    fn decimal(&mut self, digits: &str, v: f64) -> &mut Self;
    /// A true/false cell.
    fn flag(&mut self, b: bool) -> &mut Self;
    /// An optional number; `None` is an empty cell.
    fn opt(&mut self, v: Option<f64>) -> &mut Self {
        match v {
            Some(v) => self.num(v),
            None => self.text(""),
        }
    }
    /// Ends the row.
    fn end(&mut self);
}

/// Object-safe view of [`Cells`] (the row functions take `&mut dyn CellsDyn`).
pub trait CellsDyn {
    /// See [`Cells::text`].
    fn text_dyn(&mut self, s: &str);
    /// See [`Cells::num`].
    fn num_dyn(&mut self, v: f64);
    /// See [`Cells::count`].
    fn count_dyn(&mut self, n: usize);
    /// See [`Cells::decimal`].
    fn decimal_dyn(&mut self, digits: &str, v: f64);
    /// See [`Cells::flag`].
    fn flag_dyn(&mut self, b: bool);
    /// See [`Cells::end`].
    fn end_dyn(&mut self);
}

impl<C: Cells> CellsDyn for C {
    fn text_dyn(&mut self, s: &str) {
        self.text(s);
    }
    fn num_dyn(&mut self, v: f64) {
        self.num(v);
    }
    fn count_dyn(&mut self, n: usize) {
        self.count(n);
    }
    fn decimal_dyn(&mut self, digits: &str, v: f64) {
        self.decimal(digits, v);
    }
    fn flag_dyn(&mut self, b: bool) {
        self.flag(b);
    }
    fn end_dyn(&mut self) {
        self.end();
    }
}

impl Cells for dyn CellsDyn + '_ {
    fn text(&mut self, s: &str) -> &mut Self {
        self.text_dyn(s);
        self
    }
    fn num(&mut self, v: f64) -> &mut Self {
        self.num_dyn(v);
        self
    }
    fn count(&mut self, n: usize) -> &mut Self {
        self.count_dyn(n);
        self
    }
    fn decimal(&mut self, digits: &str, v: f64) -> &mut Self {
        self.decimal_dyn(digits, v);
        self
    }
    fn flag(&mut self, b: bool) -> &mut Self {
        self.flag_dyn(b);
        self
    }
    fn end(&mut self) {
        self.end_dyn();
    }
}

/// How CSV files are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// RFC 4180: `,` between fields, `.` as the decimal point (the default).
    #[default]
    Rfc4180,
    /// What Excel writes and reads under a European locale: `;` between fields, `,` as
    /// the decimal separator.
    ExcelEu,
}

impl Dialect {
    /// The field separator.
    pub fn separator(self) -> u8 {
        match self {
            Dialect::Rfc4180 => b',',
            Dialect::ExcelEu => b';',
        }
    }

    /// The decimal separator.
    pub fn decimal(self) -> u8 {
        match self {
            Dialect::Rfc4180 => b'.',
            Dialect::ExcelEu => b',',
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Rfc4180 => "rfc4180",
            Dialect::ExcelEu => "excel-eu",
        }
    }
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "rfc4180" => Ok(Dialect::Rfc4180),
            "excel-eu" => Ok(Dialect::ExcelEu),
            _ => Err(format!(
                "unknown CSV dialect {s:?}; expected rfc4180 (`,` and `.`) or excel-eu (`;` and decimal comma)"
            )),
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
