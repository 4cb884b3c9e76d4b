//! The pallets whose benchmarks this runtime runs (`aitbc-node benchmark pallet`).

frame_benchmarking::define_benchmarks!(
	[pallet_aitbc_marketplace, Marketplace]
	[pallet_aitbc_jobs, Jobs]
	[pallet_aitbc_receipts, Receipts]
	[pallet_aitbc_staking, ProviderStaking]
	[pallet_aitbc_audits, Audits]
	[pallet_aitbc_validators, Validators]
	[pallet_aitbc_probes, Probes]
	[pallet_aitbc_exchange, Exchange]
);
