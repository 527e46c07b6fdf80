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
        /// Draw the cumulative emission and the daily budget to this file, chosen by its
        /// extension: SVG (`.svg`) or PNG (`.png`, 1100 × 640 pixels, its text drawn with
        /// /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf from Debian's `fonts-dejavu-core`).
        #[arg(long, value_name = "FILE")]
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
            if let Some(path) = &plot {
                crate::plot::PlotFormat::of(path).map_err(|e| CliError::new(Exit::Usage, e))?;
            }
            let params = if node {
                client::ChainInfo::fetch(rpc)?.params.tokenomics
            } else {
                tokenomics::Params::default()
            };
            let every = every.unwrap_or_else(|| default_every(days));
            let rows = table(&params, days, every);
            if let Some(path) = &plot {
                crate::plot::draw(&params, days, path)?;
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

/// One day of the projection (the table's rows and the plot's points).
pub struct Row {
    pub day: u64,
    pub daily: Amount,
    pub cumulative: Amount,
    pub reserve_left: Amount,
}

pub fn row(params: &tokenomics::Params, day: u64) -> Row {
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
}
