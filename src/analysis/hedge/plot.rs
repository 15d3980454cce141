//! hedge.svg: per robust plan of the sweep, its diversification premium, stock cost and
//! expected spot cost against its CVaR (the protection bought), points joined in order of
//! CVaR; drawn with plotters' SVG backend like frontier.svg.

use plotters::prelude::*;

use super::{Hedge, HedgePoint, HEDGE_SVG};
use crate::analysis::frontier::plot::{padded, short};
use crate::error::{Error, Result};

/// Plot size in pixels.
const SIZE: (u32, u32) = (900, 560);

/// One part of the hedge: label, colour, its value at a point.
type Part = (&'static str, RGBColor, fn(&HedgePoint) -> f64);

/// The three parts of the hedge.
const PARTS: [Part; 3] = [
    ("diversification premium", BLUE, |p| {
        p.diversification_premium
    }),
    ("stock cost (holding + expected drawdown)", GREEN, |p| {
        p.stock_cost
    }),
    ("expected spot cost", RED, |p| p.expected_spot_cost),
];

/// The plot as an SVG document.
pub fn svg(hedge: &Hedge) -> Result<String> {
    let mut out = String::new();
    draw(hedge, &mut out).map_err(|e| {
        Error::write(
            HEDGE_SVG,
            std::io::Error::other(format!("cannot draw the plot: {e}")),
        )
    })?;
    Ok(out)
}

fn draw(hedge: &Hedge, out: &mut String) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut points: Vec<&HedgePoint> = hedge.points.iter().collect();
    points.sort_by(|a, b| a.cvar_cost.total_cmp(&b.cvar_cost));
    let (x0, x1) = padded(points.iter().map(|p| p.cvar_cost));
    let (y0, y1) = padded(
        points
            .iter()
            .flat_map(|p| PARTS.iter().map(move |(_, _, f)| f(p)))
            .chain([0.0]),
    );
    let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "The hedge: what each plan pays for its protection",
            ("sans-serif", 22),
        )
        .margin(24)
        .x_label_area_size(56)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "CVaR {} of the plan's cost (model currency)",
            hedge.alpha
        ))
        .y_desc("cost (model currency)")
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for (label, colour, value) in PARTS {
        let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.cvar_cost, value(p))).collect();
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()?;
    Ok(())
}
