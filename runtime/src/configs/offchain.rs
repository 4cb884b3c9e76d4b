//! Transactions the runtime creates itself (GRANDPA equivocation reports, the validators'
//! probe and artifact reports) and the probes pallet: validators' off-chain workers watching
//! providers and sampling receipted artifacts.

use frame_support::{
	traits::{ConstU32, ConstU64},
	weights::Weight,
};
use sp_runtime::{generic::Era, transaction_validity::TransactionPriority};

use super::{compute::ChallengeWindow, consensus::MaxAuthorities};
use crate::{
	time::SECONDS, AccountId, BlockNumber, Marketplace, Runtime, RuntimeCall, TxExtension,
	UncheckedExtrinsic,
};

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

/// Bare (unsigned) extrinsics: GRANDPA equivocation reports.
impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Authorized general transactions: probe reports. No account signs them, so the extensions
/// that need one (nonce, fee) pass them through; immortal, as the call's own authorization
/// bounds its validity to its round.
impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_aitbc_jobs::CheckClaim::<Runtime>::new(),
			pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
				pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

/// The marketplace's live providers, and its offline mark for a quorum's finding.
pub struct MarketplaceTargets;
impl pallet_aitbc_probes::ProbeTargets<AccountId, BlockNumber> for MarketplaceTargets {
	fn live_providers(
		now: BlockNumber,
	) -> alloc::vec::Vec<pallet_aitbc_probes::ProbeTarget<AccountId>> {
		pallet_aitbc_marketplace::Offers::<Runtime>::iter()
			.filter(|(_, offer)| {
				!offer.paused
					&& !offer.terms.endpoint.is_empty()
					&& Marketplace::is_live(offer, now)
			})
			.map(|(provider, offer)| pallet_aitbc_probes::ProbeTarget {
				provider,
				endpoint: offer.terms.endpoint.to_vec(),
				manifests: offer
					.terms
					.models
					.iter()
					.filter_map(|id| pallet_aitbc_marketplace::Models::<Runtime>::get(id))
					.map(|model| model.manifest_sha256)
					.collect(),
			})
			.collect()
	}

	fn provider_down(provider: &AccountId) {
		Marketplace::note_unreachable(provider)
	}

	/// One offer read and written (at its largest), and the event.
	fn provider_down_weight() -> Weight {
		use codec::MaxEncodedLen;
		let offer = pallet_aitbc_marketplace::OfferOf::<Runtime>::max_encoded_len() as u64;
		<Runtime as frame_system::Config>::DbWeight::get()
			.reads_writes(1, 1)
			.saturating_add(Weight::from_parts(20_000_000, offer.saturating_add(48)))
	}

	/// The receipts accepted in `block`: those whose challenge window closes at
	/// `block + ChallengeWindow`, with the artifact's hash from the receipt, the image size
	/// from the job and the endpoint from the provider's offer (none without an offer).
	fn receipted_in(block: BlockNumber) -> alloc::vec::Vec<pallet_aitbc_probes::ArtifactTarget> {
		let final_at = block.saturating_add(ChallengeWindow::get());
		pallet_aitbc_receipts::FinalizeAt::<Runtime>::iter_prefix(final_at)
			.map(|(provider, jobs)| {
				// A provider that withdrew its offer (or states no endpoint) serves nothing:
				// its receipts count as unavailable, rather than escaping the check.
				let endpoint = pallet_aitbc_marketplace::Offers::<Runtime>::get(&provider)
					.map(|offer| offer.terms.endpoint.to_vec())
					.unwrap_or_default();
				(endpoint, jobs)
			})
			.flat_map(|(endpoint, jobs)| {
				jobs.into_iter().filter_map(move |job_id| {
					let receipt = pallet_aitbc_receipts::Pallet::<Runtime>::receipt_of(job_id)?;
					let job = pallet_aitbc_jobs::Jobs::<Runtime>::get(job_id)?;
					Some(pallet_aitbc_probes::ArtifactTarget {
						job_id,
						endpoint: endpoint.clone(),
						sha256: receipt.receipt.artifact_sha256,
						width: job.params.width,
						height: job.params.height,
						images: job.images,
					})
				})
			})
			.collect()
	}

	fn artifact_unavailable(job_id: aitbc_primitives::JobId) -> bool {
		pallet_aitbc_audits::Pallet::<Runtime>::fail_unavailable(job_id)
	}

	fn artifact_unavailable_weight() -> Weight {
		use pallet_aitbc_audits::WeightInfo;
		pallet_aitbc_audits::weights::SubstrateWeight::<Runtime>::fail_unavailable()
	}
}

/// Reports outrank ordinary transactions: a provider that is down should stop getting work.
pub const PROBE_REPORT_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

impl pallet_aitbc_probes::Config for Runtime {
	type AuthorityId = pallet_aitbc_probes::ProbeKey;
	type Targets = MarketplaceTargets;
	type MaxProbers = MaxAuthorities;
	/// Sixteen providers per validator and round; with more, rounds take turns.
	type MaxFindings = ConstU32<16>;
	/// A round every 20 s: a stopped provider is found within about half a minute.
	type RoundLength = ConstU32<{ 20 * SECONDS }>;
	/// A health answer comes within 3 s or the provider counts as down.
	type ProbeTimeoutMs = ConstU64<3_000>;
	type ReportPriority = ConstU64<PROBE_REPORT_PRIORITY>;
	type WeightInfo = pallet_aitbc_probes::weights::SubstrateWeight<Runtime>;
}
