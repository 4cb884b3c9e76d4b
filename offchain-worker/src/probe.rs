//! The off-chain worker: at a round's first block, a validator probes its share of the live
//! providers and reports the ones that are down.

use crate::{health::Down, *};
use alloc::{string::String, vec::Vec};
use frame_support::{traits::Get, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	offchain::{
		http,
		storage::{MutateStorageError, StorageValueRef},
		Duration,
	},
	traits::Zero,
	RuntimeAppPublic,
};

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
	let claimed = StorageValueRef::persistent(LAST_ROUND_KEY).mutate(
		|last: Result<Option<u32>, _>| match last {
			Ok(Some(last)) if last >= round => Err(()),
			_ => Ok(round),
		},
	);
	if let Err(
		MutateStorageError::ValueFunctionFailed(()) | MutateStorageError::ConcurrentModification(_),
	) = claimed
	{
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
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let Some(signature) = key.sign(&report.signing_message(genesis.as_ref())) else {
		log::warn!(target: "aitbc::probes", "round {round}: the probe key could not sign");
		return;
	};
	let call = Call::<T>::report { report, signature };
	let transaction = T::create_authorized_transaction(call.into());
	if frame_system::offchain::SubmitTransaction::<T, Call<T>>::submit_transaction(transaction)
		.is_err()
	{
		log::warn!(target: "aitbc::probes", "round {round}: the report was not accepted by the pool");
	}
}

/// This node's prober position and key, if it holds one of the session's probe keys.
fn local_prober<T: Config>() -> Option<(u32, T::AuthorityId)> {
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
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms));
	let mut results: Vec<Result<(), Down>> = Vec::with_capacity(targets.len());
	let (mut pending, mut waiting) = (Vec::new(), Vec::new());
	for (index, target) in targets.iter().enumerate() {
		let sent = health_url(&target.endpoint)
			.and_then(|url| http::Request::get(&url).deadline(deadline).send().ok());
		if let Some(request) = sent {
			pending.push(request);
			waiting.push(index);
		}
		results.push(Err(Down::NoAnswer));
	}
	let answers = http::PendingRequest::try_wait_all(pending, deadline);
	for (index, answer) in waiting.into_iter().zip(answers) {
		results[index] = match answer {
			Ok(Ok(response)) if response.code == 200 => {
				let mut body = response.body();
				body.deadline(deadline);
				let bytes: Vec<u8> = body.by_ref().take(health::MAX_HEALTH_BYTES + 1).collect();
				if body.error().is_some() {
					Err(Down::NoAnswer)
				} else {
					health::check_health(&bytes, &targets[index].manifests)
				}
			},
			Ok(Ok(response)) => Err(Down::Status(response.code)),
			_ => Err(Down::NoAnswer),
		};
	}
	results
}

/// `<endpoint>/v1/health`, if the endpoint is a UTF-8 http(s) URL.
pub fn health_url(endpoint: &[u8]) -> Option<String> {
	let base = core::str::from_utf8(endpoint).ok()?.trim_end_matches('/');
	(base.starts_with("http://") || base.starts_with("https://"))
		.then(|| alloc::format!("{base}/v1/health"))
}
