//! `aitbc providers`: every offer with its approval, liveness and reputation.

use aitbc_client::{format_ait, Client};

use crate::Cli;

pub async fn list(cli: &Cli, client: &Client) -> anyhow::Result<()> {
	let providers = client.providers().await?;
	if cli.json {
		let list: Vec<_> = providers
			.iter()
			.map(|p| {
				let offer = p.offer.as_ref();
				serde_json::json!({
					"account": p.account.to_string(), "approved": p.approved, "paused": p.paused,
					"in_flight": p.in_flight, "models": offer.map(|o| o.models.clone()),
					"price_per_unit": offer.map(|o| o.price_per_unit.to_string()),
					"gpu": offer.map(|o| o.gpu_name.clone()), "endpoint": offer.map(|o| o.endpoint.clone()),
					"capacity": offer.map(|o| o.capacity), "max_pixels": offer.map(|o| o.max_pixels),
					"live": p.live, "offline": p.offline, "last_seen": p.last_seen, "eligible": p.eligible,
					"completed": p.completed, "expired": p.expired,
					"cancelled_after_assign": p.cancelled_after_assign, "failed_checks": p.failed_checks,
					"passed_checks": p.passed_checks, "median_gpu_ms": p.median_gpu_ms,
				})
			})
			.collect();
		println!("{}", serde_json::Value::Array(list));
	} else if providers.is_empty() {
		println!("no providers registered");
	} else {
		for p in providers {
			let Some(o) = &p.offer else { continue };
			println!(
				"{}{}{}{}\n  models {:?}, {} per unit, {} ({} MiB), capacity {} ({} in flight), images up to {} px, {}\n  completed {}, expired {}, cancelled after assign {}, audits failed {} / passed {}, median gpu {}",
				p.account,
				if p.approved { "" } else { "  (not approved)" },
				if p.paused { "  (paused)" } else { "" },
				match p.last_seen {
					Some(seen) if p.live => format!("  live (seen at block {seen})"),
					Some(seen) if p.offline => {
						format!("  offline (missed a reserved job or a deadline; last seen at block {seen})")
					},
					Some(seen) => format!("  offline (last seen at block {seen})"),
					None => String::new(),
				},
				o.models,
				format_ait(o.price_per_unit),
				o.gpu_name,
				o.gpu_memory_mib,
				o.capacity,
				p.in_flight,
				o.max_pixels,
				o.endpoint,
				p.completed,
				p.expired,
				p.cancelled_after_assign,
				p.failed_checks,
				p.passed_checks,
				p.median_gpu_ms.map_or("-".into(), |ms| format!("{ms} ms")),
			);
		}
	}
	Ok(())
}
