//! `phalanx tokenomics`: the emission schedule, live from the node or projected with the same
//! code the chain runs (`phalanx_runtime::tokenomics::schedule`).

use crate::{
    exit::{CliError, Exit},
    show::print,
};
use clap::Subcommand;
use phalanx_client::{api::TokenomicsResponse, client, endpoint};
use phalanx_runtime::tokenomics::{self, DAY_MS, schedule};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Most days `schedule` projects (100 years).
const MAX_DAYS: u64 = 36_500;

#[derive(Subcommand)]
pub enum TokenomicsCommand {
    /// Project the emission day by day: a table of the daily budget, the cumulative emission
    /// and the reserve left, and optionally a plot. Computed offline by the chain's own code,
    /// with the genesis defaults (720,000 PHA/day, × 0.75 every 180 days) unless `--node`.
    Schedule {
        /// Days to project (1 to 36,500).
        #[arg(long, default_value_t = 3650, value_parser = clap::value_parser!(u64).range(1..=MAX_DAYS))]
        days: u64,
        /// Print every Nth day (default: about 40 rows, on period boundaries; the last day is
        /// always printed).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        every: Option<u64>,
        /// Draw the cumulative emission and the daily budget to this SVG file (`.svg`).
        #[arg(long)]
        plot: Option<PathBuf>,
        /// Use the parameters of the chain at `--rpc` instead of the genesis defaults.
        #[arg(long)]
        node: bool,
    },
}

/// `phalanx tokenomics [schedule ...]`.
pub fn run(rpc: &str, action: Option<TokenomicsCommand>, json_mode: bool) -> Result<(), CliError> {
    match action {
        None => status(rpc, json_mode),
        Some(TokenomicsCommand::Schedule {
            days,
            every,
            plot,
            node,
        }) => {
            if let Some(path) = &plot
                && !is_svg(path)
            {
                return Err(CliError::new(
                    Exit::Usage,
                    format!(
                        "--plot {}: only SVG plots are supported (name the file .svg)",
                        path.display()
                    ),
                ));
            }
            let params = if node {
                client::ChainInfo::fetch(rpc)?.params.tokenomics
            } else {
                tokenomics::Params::default()
            };
            let every = every.unwrap_or_else(|| default_every(days));
            let rows = table(&params, days, every);
            if let Some(path) = &plot {
                draw(&params, days, path)?;
            }
            let v = json!({
                "params": params,
                "rows": rows.iter().map(|r| json!({
                    "day": r.day,
                    "daily_budget": r.daily.to_string(),
                    "cumulative": r.cumulative.to_string(),
                    "reserve_left": r.reserve_left.to_string(),
                })).collect::<Vec<_>>(),
                "limit": schedule::supremum(&params).to_string(),
                "plot": plot.as_ref().map(|p| p.display().to_string()),
            });
            print(json_mode, &v, || {
                text_table(&params, &rows, plot.as_deref())
            });
            Ok(())
        }
    }
}

/// About 40 rows, on steps that land on period boundaries (180 days) for long projections.
fn default_every(days: u64) -> u64 {
    let raw = days.div_ceil(40);
    [1, 7, 30, 90, 180, 360, 720, 1800]
        .into_iter()
        .find(|&step| step >= raw)
        .unwrap_or(raw)
}

/// The mining reserve at genesis: 70 % of the supply.
const RESERVE: Amount = phalanx_types::MAX_SUPPLY / 100 * 70;

struct Row {
    day: u64,
    daily: Amount,
    cumulative: Amount,
    reserve_left: Amount,
}

fn row(params: &tokenomics::Params, day: u64) -> Row {
    let cumulative = schedule::cumulative(params, day * DAY_MS);
    let before = schedule::cumulative(params, day.saturating_sub(1) * DAY_MS);
    Row {
        day,
        daily: cumulative - before,
        cumulative,
        reserve_left: RESERVE.saturating_sub(cumulative),
    }
}

fn table(params: &tokenomics::Params, days: u64, every: u64) -> Vec<Row> {
    let mut rows: Vec<Row> = (1..=days)
        .filter(|d| d % every == 0 || *d == 1)
        .map(|d| row(params, d))
        .collect();
    if rows.last().is_none_or(|r| r.day != days) {
        rows.push(row(params, days));
    }
    rows
}

/// Whole PHA with thousands separators, for columns.
fn pha(units: Amount) -> String {
    let whole = (units / UNITS_PER_PHA).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn text_table(params: &tokenomics::Params, rows: &[Row], plot: Option<&Path>) -> String {
    let mut out = format!(
        "emission: {} PHA/day, x {}/{} every {} days; approaches {} PHA from below\n\n{:>6}  {:>16}  {:>20}  {:>20}\n",
        pha(params.daily_emission),
        params.decay_numerator,
        params.decay_denominator,
        params.period_ms / DAY_MS,
        pha(schedule::supremum(params)),
        "day",
        "daily budget",
        "cumulative",
        "reserve left"
    );
    for r in rows {
        out.push_str(&format!(
            "{:>6}  {:>16}  {:>20}  {:>20}\n",
            r.day,
            pha(r.daily),
            pha(r.cumulative),
            pha(r.reserve_left)
        ));
    }
    out.push_str("(amounts in PHA, rounded down to whole PHA; --json gives base units)");
    if let Some(p) = plot {
        out.push_str(&format!("\nplot written to {}", p.display()));
    }
    out
}

/// Draws the cumulative emission (left axis) and the daily budget (right axis).
fn draw(params: &tokenomics::Params, days: u64, path: &Path) -> Result<(), String> {
    use plotters::prelude::*;
    if !is_svg(path) {
        return Err(format!(
            "{}: only SVG plots are supported (name the file .svg)",
            path.display()
        ));
    }
    let million = |a: Amount| a as f64 / (UNITS_PER_PHA as f64 * 1e6);
    let thousand = |a: Amount| a as f64 / (UNITS_PER_PHA as f64 * 1e3);
    let step = days.div_ceil(2_000).max(1);
    let points: Vec<Row> = (0..=days)
        .filter(|d| d % step == 0 || *d == days)
        .map(|d| row(params, d.max(1)))
        .collect();
    let limit = million(schedule::supremum(params));
    let top_daily = thousand(params.daily_emission) * 1.1;
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    let root = SVGBackend::new(path, (1100, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "PHA emission schedule (mining reserve to mining rewards)",
            ("sans-serif", 24),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0f64..days as f64, 0f64..limit * 1.08)
        .map_err(|e| err(&e))?
        .set_secondary_coord(0f64..days as f64, 0f64..top_daily);
    chart
        .configure_mesh()
        .x_desc("days since genesis")
        .y_desc("cumulative emission (million PHA)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .configure_secondary_axes()
        .y_desc("daily budget (thousand PHA per day)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(|e| err(&e))?;
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(230, 120, 20);
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|r| (r.day as f64, million(r.cumulative))),
            blue.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("cumulative emission (left)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            [(0.0, limit), (days as f64, limit)],
            BLACK.mix(0.5),
        ))
        .map_err(|e| err(&e))?
        .label(format!("limit {:.1} million PHA", limit))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
    chart
        .draw_secondary_series(LineSeries::new(
            points.iter().map(|r| (r.day as f64, thousand(r.daily))),
            orange.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("daily budget (right)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], orange.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

fn is_svg(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// `phalanx tokenomics`: the schedule's state at the node's finalized head.
fn status(rpc: &str, json_mode: bool) -> Result<(), CliError> {
    let t = endpoint::tokenomics(rpc)?;
    print(json_mode, &t, || status_text(&t));
    Ok(())
}

fn status_text(t: &TokenomicsResponse) -> String {
    let pot = |name: &str| {
        t.pots
            .get(name)
            .map_or_else(|| "?".to_string(), |a| format!("{} PHA", a.pha))
    };
    format!(
        "height {} ({:.2} days after genesis), period {}\nrate:              {} PHA per day\nemitted:           {} PHA\nschedule at head:  {} PHA\nmining reserve:    {}\nmining rewards:    {}\ntreasury:          {}\nlimit:             {} PHA",
        t.finalized_height,
        t.elapsed_ms as f64 / DAY_MS as f64,
        t.period,
        t.daily_rate.pha,
        t.emitted.pha,
        t.schedule_at_head.pha,
        pot("mining_reserve"),
        pot("mining_rewards"),
        pot("treasury"),
        t.limit.pha,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_design_numbers_and_the_last_day() {
        let p = tokenomics::Params::default();
        let rows = table(&p, 3650, 180);
        let at = |d: u64| rows.iter().find(|r| r.day == d).map(|r| r.cumulative);
        assert_eq!(at(180), Some(129_600_000 * UNITS_PER_PHA));
        assert_eq!(at(360), Some(226_800_000 * UNITS_PER_PHA));
        assert_eq!(rows.last().map(|r| r.day), Some(3650));
        assert_eq!(rows[0].daily, 720_000 * UNITS_PER_PHA);
        assert_eq!(pha(1_234_567 * UNITS_PER_PHA), "1,234,567");
    }

    #[test]
    fn draws_an_svg_and_refuses_other_formats() {
        let dir = std::env::temp_dir().join(format!("phalanx-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let svg = dir.join("schedule.svg");
        let p = tokenomics::Params::default();
        assert!(draw(&p, 3650, &svg).is_ok());
        let text = std::fs::read_to_string(&svg).unwrap_or_default();
        assert!(text.contains("<svg") && text.contains("cumulative emission"));
        assert!(draw(&p, 10, &dir.join("schedule.bmp")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
