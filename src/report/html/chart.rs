//! Per mineral, where the plan buys: one bar per country (its share of demand) and, where
//! the policy caps that country, the cap as a line across the bar's row. Drawn with
//! plotters' SVG backend (as frontier.svg is), inlined in the page.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};

/// The fill of a bar: the page's tests count `<rect>`s of this colour, one per country.
pub const BAR_FILL: RGBColor = RGBColor(0x1f, 0x5f, 0x99);
/// The colour of a cap line.
const CAP: RGBColor = RGBColor(0xc0, 0x1c, 0x28);

/// One country of a mineral's chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryBar {
    /// Country code.
    pub country: String,
    /// Its share of the mineral's demand.
    pub share: f64,
    /// The policy's cap on its share, if any.
    pub cap: Option<f64>,
}

/// Width of a chart in pixels; each country adds a row of [`ROW`] pixels.
const WIDTH: u32 = 640;
const ROW: u32 = 26;
const FRAME: u32 = 70;

/// The chart of `bars` for `mineral` as an SVG element (no XML prolog).
pub fn svg(mineral: &str, bars: &[CountryBar]) -> Result<String> {
    let mut out = String::new();
    draw(mineral, bars, &mut out).map_err(|e| {
        Error::Usage(format!(
            "cannot draw the chart of {mineral} for --report: {e}"
        ))
    })?;
    Ok(out)
}

fn draw(
    mineral: &str,
    bars: &[CountryBar],
    out: &mut String,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let n = bars.len().max(1);
    let top = bars
        .iter()
        .flat_map(|b| [b.share, b.cap.unwrap_or(0.0)])
        .fold(0.0_f64, f64::max)
        .clamp(0.05, 1.0)
        * 100.0
        * 1.08;
    let size = (WIDTH, FRAME + ROW * n as u32);
    let root = SVGBackend::with_string(out, size).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{mineral}: share of demand by country"),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..top, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .light_line_style(TRANSPARENT)
        .x_desc("% of demand")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 12))
        .draw()?;
    let row_top = |k: usize| (n - k) as f64;
    chart.draw_series(bars.iter().enumerate().map(|(k, b)| {
        Rectangle::new(
            [(0.0, row_top(k) - 0.2), (b.share * 100.0, row_top(k) - 0.8)],
            BAR_FILL.filled(),
        )
    }))?;
    chart.draw_series(bars.iter().enumerate().filter_map(|(k, b)| {
        let cap = b.cap? * 100.0;
        Some(PathElement::new(
            [(cap, row_top(k) - 0.05), (cap, row_top(k) - 0.95)],
            CAP.stroke_width(2),
        ))
    }))?;
    let label = ("sans-serif", 12)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    chart.draw_series(bars.iter().enumerate().map(|(k, b)| {
        EmptyElement::at((0.0, row_top(k) - 0.5))
            + Text::new(b.country.clone(), (-6, 0), label.clone())
    }))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_country_and_one_line_per_cap() {
        let bars = [
            CountryBar {
                country: "CHN".into(),
                share: 0.5,
                cap: Some(0.5),
            },
            CountryBar {
                country: "A&B".into(),
                share: 0.3,
                cap: None,
            },
            CountryBar {
                country: "USA".into(),
                share: 0.2,
                cap: Some(0.4),
            },
        ];
        let svg = svg("gallium", &bars).unwrap();
        let fill = format!(
            "fill=\"#{:02X}{:02X}{:02X}\"",
            BAR_FILL.0, BAR_FILL.1, BAR_FILL.2
        );
        assert_eq!(svg.matches(fill.as_str()).count(), 3, "{svg}");
        assert_eq!(svg.matches("stroke=\"#C01C28\"").count(), 2, "{svg}");
        assert!(svg.contains("A&amp;B"), "country codes are escaped: {svg}");
    }
}
