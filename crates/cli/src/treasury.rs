//! `phalanx treasury`: the treasury's balance and where it came from (`GET /treasury`).

use crate::{
    exit::CliError,
    show::{pha, print},
};
use phalanx_client::{api::TreasuryResponse, endpoint};

/// `phalanx treasury`.
pub fn run(rpc: &str, json_mode: bool) -> Result<(), CliError> {
    let t = endpoint::treasury(rpc)?;
    print(json_mode, &t, || text(&t));
    Ok(())
}

fn text(t: &TreasuryResponse) -> String {
    let mut out = format!(
        "treasury at block {}: {}\nincome since genesis:\n",
        t.finalized_height,
        pha(t.balance.base_units)
    );
    for (source, amount) in &t.income {
        let label = source.replace('_', " ");
        out.push_str(&format!("  {label:<16} {}\n", pha(amount.base_units)));
    }
    out.push_str(&format!(
        "spent by governance: {} (a treasury spend passes only by vote: phalanx gov propose spend)",
        pha(t.spent.base_units)
    ));
    out
}
