//! frontier.svg: total cost against the bound, the points joined and marked, the current
//! plan marked and labelled. Drawn with plotters' SVG backend, which writes `<text>`
//! elements (the browser supplies the font), so no system font is needed.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Frontier, Measure};
use crate::error::{Error, Result};

/// Plot size in pixels.
const SIZE: (u32, u32) = (900, 560);

/// Axis label of the bound, and the factor from the measure's units to the axis's.
pub fn bound_axis(measure: Measure) -> (&'static str, f64) {
    match measure {
        Measure::Hhi => ("HHI cap (points, 0 to 10,000)", 10_000.0),
        Measure::RiskHhi => (
            "risk-weighted HHI cap (points, 0 to 10,000 x risk)",
            10_000.0,
        ),
        Measure::AvgRisk => (
            "average risk cap (risk scale of countries.csv, 0 to 1)",
            1.0,
        ),
    }
}

/// The measure's name in a sentence.
fn title(measure: Measure) -> &'static str {
    match measure {
        Measure::Hhi => "HHI",
        Measure::RiskHhi => "risk-weighted HHI",
        Measure::AvgRisk => "average risk",
    }
}

/// Axis label of the cost.
pub const COST_AXIS: &str = "total cost (model currency)";

/// The plot as an SVG document.
pub fn svg(frontier: &Frontier) -> Result<String> {
    let mut out = String::new();
    draw(frontier, &mut out).map_err(|e| {
        Error::write(
            super::FRONTIER_SVG,
            std::io::Error::other(format!("cannot draw the plot: {e}")),
        )
    })?;
    Ok(out)
}

fn draw(
    frontier: &Frontier,
    out: &mut String,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let (x_label, scale) = bound_axis(frontier.measure);
    let pts: Vec<(f64, f64)> = frontier
        .points
        .iter()
        .map(|p| (p.bound * scale, p.cost))
        .collect();
    let current = (frontier.current_measure * scale, frontier.current_cost);
    let (x0, x1) = padded(pts.iter().map(|p| p.0).chain([current.0]));
    let (y0, y1) = padded(pts.iter().map(|p| p.1).chain([current.1]));
    let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Cost-risk frontier: total cost against the {} cap",
                title(frontier.measure)
            ),
            ("sans-serif", 22),
        )
        .margin(24)
        .x_label_area_size(56)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(COST_AXIS)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    chart.draw_series(LineSeries::new(pts.iter().copied(), BLUE.stroke_width(2)))?;
    chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))?;
    chart.draw_series(std::iter::once(TriangleMarker::new(
        current,
        9,
        RED.filled(),
    )))?;
    let label = format!(
        "current plan: cost {}, {} {}",
        short(current.1),
        title(frontier.measure),
        short(current.0)
    );
    let style = ("sans-serif", 15)
        .into_font()
        .color(&RED)
        .pos(Pos::new(HPos::Right, VPos::Bottom));
    chart.draw_series(std::iter::once(
        EmptyElement::at(current) + Text::new(label, (-14, -16), style),
    ))?;
    root.present()?;
    Ok(())
}

/// The range of `values` with 5 % room on each side (a point range gets room too).
pub(crate) fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let room = ((hi - lo) * 0.05).max(hi.abs().max(1.0) * 1e-3);
    (lo - room, hi + room)
}

/// A number with four significant digits, thousands separated by spaces.
pub(crate) fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let mut grouped = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers() {
        assert_eq!(short(1234567.0), "1 234 567");
        assert_eq!(short(0.012345), "0.01235");
        assert_eq!(short(-2500.0), "-2 500");
        assert_eq!(short(12.5), "12.5");
        assert_eq!(short(500.0), "500");
    }
}
