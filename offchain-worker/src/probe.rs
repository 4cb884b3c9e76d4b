//! The off-chain worker: at a round's first block, a validator probes its share of the live
//! providers and reports the ones that are down.

use crate::{health::Down, offchain, *};
use alloc::{string::String, vec::Vec};
use frame_support::{traits::Get, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, RuntimeAppPublic};

/// Local storage key: the last round this node probed (a block of that round imported again,
/// on a fork, is not probed twice).
const LAST_ROUND_KEY: &[u8] = b"aitbc/probes/last-round";

/// Runs the probes of block `now`'s round if `now` starts one and this node holds a prober's
/// key.
pub(crate) fn run<T: Config>(now: BlockNumberFor<T>) {
	if !(now % T::RoundLength::get()).is_zero() {
		return;
	}
	let round = Pallet::<T>::round_of(now);
	let Some((prober, key)) = local_prober::<T>() else { return };
	if !offchain::claim_once(LAST_ROUND_KEY, round) {
		return;
	}
	let targets = select(T::Targets::live_providers(now), round, T::MaxFindings::get() as usize);
	let probed = targets.len();
	let mut findings: Vec<FindingOf<T>> = probe_all(&targets, T::ProbeTimeoutMs::get())
		.into_iter()
		.zip(targets)
		.filter_map(|(result, target)| {
			result.err().map(|why| {
				log::info!(
					target: "aitbc::probes",
					"round {round}: provider {:?} is down ({why:?})",
					target.provider
				);
				Finding::ProviderDown(target.provider)
			})
		})
		.collect();
	log::info!(
		target: "aitbc::probes",
		"round {round}: probed {probed} provider(s), {} down",
		findings.len()
	);
	if findings.is_empty() {
		return;
	}
	findings.sort();
	let report = Report { round, prober, findings: BoundedVec::truncate_from(findings) };
	let message = report.signing_message(Pallet::<T>::genesis().as_ref());
	offchain::sign_and_submit::<T>(
		&key,
		&message,
		|signature| Call::<T>::report { report, signature },
		&alloc::format!("round {round}"),
	);
}

/// This node's prober position and key, if it holds one of the session's probe keys.
pub(crate) fn local_prober<T: Config>() -> Option<(u32, T::AuthorityId)> {
	let local = T::AuthorityId::all();
	Probers::<T>::get()
		.into_iter()
		.enumerate()
		.find(|(_, key)| local.contains(key))
		.map(|(index, key)| (index as u32, key))
}

/// The round's share of `targets`: all of them if they fit in `max`, else `max` of them
/// starting where the previous round's share ended, so every provider is probed in turn.
pub fn select<A: Clone>(
	targets: Vec<ProbeTarget<A>>,
	round: u32,
	max: usize,
) -> Vec<ProbeTarget<A>> {
	let len = targets.len();
	if len <= max {
		return targets;
	}
	let start = (round as usize).wrapping_mul(max) % len;
	targets.into_iter().cycle().skip(start).take(max).collect()
}

/// Probes every target's `/v1/health` at once, all within one deadline; one result each, in
/// order.
fn probe_all<A>(targets: &[ProbeTarget<A>], timeout_ms: u64) -> Vec<Result<(), Down>> {
	let urls: Vec<_> = targets.iter().map(|target| health_url(&target.endpoint)).collect();
	offchain::get_all(&urls, timeout_ms, health::MAX_HEALTH_BYTES, |index, bytes| {
		health::check_health(&bytes, &targets[index].manifests)
	})
	.into_iter()
	.map(|checked| match checked {
		Ok(result) => result,
		Err(offchain::Failed::Status(code)) => Err(Down::Status(code)),
		Err(offchain::Failed::TooLong) => Err(Down::Malformed),
		Err(offchain::Failed::NoAnswer) => Err(Down::NoAnswer),
	})
	.collect()
}

/// `<endpoint>/v1/health`, if the endpoint is a UTF-8 http(s) URL.
pub fn health_url(endpoint: &[u8]) -> Option<String> {
	offchain::endpoint_url(endpoint, "/v1/health")
}
