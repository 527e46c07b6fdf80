//! Runs a validator process: consensus, indexer and RPC on one tokio runtime, until Ctrl-C.

use commonware_cryptography::ed25519;
use commonware_runtime::{Metrics as _, Runner as _, Supervisor as _, tokio as cw_tokio};
use phalanx_consensus::{
    engine,
    mempool::{Limits, Mempool},
    spec::ChainSpec,
};
use phalanx_rpc::{Index, RpcState, backfill, router, run_indexer};
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::sync::broadcast;

/// What a validator process needs.
pub struct NodeConfig {
    pub data_dir: PathBuf,
    pub spec: ChainSpec,
    pub signer: ed25519::PrivateKey,
    pub p2p_listen: SocketAddr,
    pub rpc_listen: SocketAddr,
    /// Called once the RPC is listening, with its address.
    pub on_ready: Box<dyn FnOnce(SocketAddr) + Send>,
}

/// Runs until Ctrl-C (or SIGTERM). Returns an error message if startup fails.
pub fn run(config: NodeConfig) -> Result<(), String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let runtime_cfg = cw_tokio::Config::new()
        .with_storage_directory(config.data_dir.join("chain"))
        .with_worker_threads(2);
    let runner = cw_tokio::Runner::new(runtime_cfg);
    runner.start(|context| async move {
        let index_dir = config.data_dir.join("index");
        let (store, report) = phalanx_index::Index::open(&index_dir)
            .map_err(|e| format!("cannot open the index in {}: {e}", index_dir.display()))?;
        if let Some((aside, reason)) = &report.moved_aside {
            tracing::error!(
                moved_to = %aside.display(),
                %reason,
                "the index file is damaged; it was moved aside and the index is rebuilt from \
                 the block archive (receipts rebuilt so carry no events)"
            );
        }
        if let Some(ms) = report.checked_ms {
            tracing::info!(ms, "index was not closed cleanly; checked the whole file");
        }
        if report.removed_legacy {
            tracing::warn!(
                "removed the JSON-lines index of an earlier version; the index is rebuilt from \
                 the block archive (receipts rebuilt so carry no events)"
            );
        }
        let store = Arc::new(store);
        let index = Arc::new(Index::new(store.clone()));
        let mempool = Mempool::new(Limits::default());
        let running = engine::start(
            context.child("node"),
            config.spec.clone(),
            config.signer,
            config.p2p_listen,
            mempool.clone(),
            Arc::new(phalanx_index::IndexLog(store)),
        )
        .await?;
        let (blocks_tx, _) = broadcast::channel(256);
        tokio::spawn(run_indexer(
            running.finalized,
            index.clone(),
            running.admission.mempool.clone(),
            blocks_tx.clone(),
        ));
        tokio::spawn(backfill(index.clone(), running.marshal.clone()));
        let metrics_ctx = context.child("rpc");
        let state = Arc::new(RpcState {
            admission: running.admission,
            genesis_digest: hex::encode(running.genesis_digest),
            spec: config.spec.clone(),
            index,
            marshal: running.marshal,
            blocks: blocks_tx,
            metrics: Arc::new(move || metrics_ctx.encode()),
        });
        let listener = tokio::net::TcpListener::bind(config.rpc_listen)
            .await
            .map_err(|e| format!("cannot listen for RPC on {}: {e}", config.rpc_listen))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("RPC socket: {e}"))?;
        (config.on_ready)(addr);
        let server = axum::serve(listener, router(state)).with_graceful_shutdown(async {
            let _ = shutdown_signal().await;
        });
        server
            .await
            .map_err(|e| format!("RPC server failed: {e}"))?;
        tracing::info!("shutting down");
        Ok(())
    })
}

async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
