//! `aitbc web`: serves the web app (`web/dist`, built by `npm run build` in `web/`, which
//! scripts/setup.sh runs) as static files. The page talks to the node's WebSocket RPC directly from
//! the browser; this server holds no keys and no data, only the app's files.

use std::{net::SocketAddr, path::Path};

use anyhow::Context;
use axum::{http::header, Router};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

/// Serves `dir` on `listen` until Ctrl-C; prints the URL that opens the app on `node`.
pub async fn serve(dir: &Path, listen: SocketAddr, node: &str) -> anyhow::Result<()> {
	anyhow::ensure!(
		dir.join("index.html").is_file(),
		"{} has no index.html: build the web app first (`npm --prefix web ci && npm --prefix web run build`, \
		 which scripts/setup.sh does), or point --dir at a built copy",
		dir.display()
	);
	// Hashed asset names change with their content; index.html must be revalidated so a new
	// build is picked up.
	let app = Router::new().fallback_service(ServeDir::new(dir)).layer(
		SetResponseHeaderLayer::if_not_present(
			header::CACHE_CONTROL,
			header::HeaderValue::from_static("no-cache"),
		),
	);
	let listener = tokio::net::TcpListener::bind(listen)
		.await
		.with_context(|| format!("cannot listen on {listen} (is the port taken? use --listen)"))?;
	let addr = listener.local_addr()?;
	println!("web app: http://{addr}/?rpc={node}");
	println!("serving {} (Ctrl-C stops it)", dir.display());
	axum::serve(listener, app)
		.with_graceful_shutdown(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await?;
	Ok(())
}
