//! Tests of every call and error of the marketplace pallet; `try_state` runs after each.

mod rotation;

use crate::{mock::*, *};
use aitbc_primitives::{Feasibility, NoProvider, WorkerKey};
use frame_support::{assert_noop, assert_ok, traits::Get};
use sp_runtime::DispatchError::BadOrigin;

pub(crate) const ALICE: u64 = 1;
pub(crate) const BOB: u64 = 2;

pub(crate) fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::try_from(bytes.to_vec()).expect("within bound")
}

pub(crate) fn add_model() -> ModelId {
	let id = ModelCount::<Test>::get();
	assert_ok!(Marketplace::add_model(
		RuntimeOrigin::root(),
		bounded(b"aitbc-tiny-sd"),
		PipelineKind::TextToImage,
		BoundedVec::try_from(vec![ModelFile {
			path: bounded(b"unet/model.onnx"),
			sha256: [7; 32]
		}])
		.unwrap(),
		[8; 32],
		1_000,
		512,
		512,
		50,
	));
	id
}

pub(crate) fn key(n: u8) -> WorkerKey {
	WorkerKey::Sr25519([n; 32])
}

pub(crate) fn terms(
	models: &[ModelId],
	keys: &[WorkerKey],
	price: u128,
	capacity: u32,
) -> OfferTermsOf<Test> {
	OfferTerms {
		models: BoundedVec::try_from(models.to_vec()).unwrap(),
		price_per_unit: price,
		gpu_name: bounded(b"NVIDIA H100"),
		gpu_memory_mib: 81_559,
		endpoint: bounded(b"http://127.0.0.1:8090"),
		capacity,
		max_pixels: 512 * 512,
		worker_keys: BoundedVec::try_from(keys.to_vec()).unwrap(),
	}
}

/// A 256×256 job of `model` accepting `max_price` per unit.
pub(crate) fn request(model: ModelId, max_price: u128) -> JobRequest<u128> {
	JobRequest { model, pixels: 256 * 256, max_price }
}

/// Alice serves model 0 at price 5 with capacity 2 and key 1, approved.
pub(crate) fn alice_ready() -> ModelId {
	let model = add_model();
	assert_ok!(Marketplace::register_offer(
		RuntimeOrigin::signed(ALICE),
		terms(&[model], &[key(1)], 5, 2)
	));
	assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), ALICE));
	model
}

#[test]
fn add_model_registers_and_counts() {
	build_and_execute(|| {
		assert_eq!(add_model(), 0);
		assert_eq!(add_model(), 1);
		assert_eq!(ModelCount::<Test>::get(), 2);
		let model = Models::<Test>::get(1).unwrap();
		assert_eq!(model.unit_weight_milli, 1_000);
		assert!(!model.retired);
		System::assert_last_event(
			Event::ModelAdded { model_id: 1, name: bounded(b"aitbc-tiny-sd") }.into(),
		);
	});
}

#[test]
fn add_model_rejects_bad_input_and_non_governance() {
	build_and_execute(|| {
		let files = || {
			BoundedVec::try_from(vec![ModelFile {
				path: bounded(b"unet/model.onnx"),
				sha256: [7; 32],
			}])
			.unwrap()
		};
		let add = |origin, files, weight, w, h, steps| {
			Marketplace::add_model(
				origin,
				bounded(b"m"),
				PipelineKind::TextToImage,
				files,
				[0; 32],
				weight,
				w,
				h,
				steps,
			)
		};
		assert_noop!(add(RuntimeOrigin::signed(ALICE), files(), 1_000, 512, 512, 50), BadOrigin);
		assert_noop!(
			add(RuntimeOrigin::root(), BoundedVec::new(), 1_000, 512, 512, 50),
			Error::<Test>::NoModelFiles
		);
		assert_noop!(
			add(RuntimeOrigin::root(), files(), 0, 512, 512, 50),
			Error::<Test>::InvalidModelLimits
		);
		assert_noop!(
			add(RuntimeOrigin::root(), files(), 1_000, 500, 512, 50),
			Error::<Test>::InvalidModelLimits
		);
		assert_noop!(
			add(RuntimeOrigin::root(), files(), 1_000, 512, 32, 50),
			Error::<Test>::InvalidModelLimits
		);
		assert_noop!(
			add(RuntimeOrigin::root(), files(), 1_000, 512, 512, 0),
			Error::<Test>::InvalidModelLimits
		);
		for _ in 0..MaxModels::get() {
			add_model();
		}
		assert_noop!(
			add(RuntimeOrigin::root(), files(), 1_000, 512, 512, 50),
			Error::<Test>::TooManyModels
		);
	});
}

#[test]
fn retire_model_stops_new_offers_and_jobs() {
	build_and_execute(|| {
		let model = alice_ready();
		assert_noop!(Marketplace::retire_model(RuntimeOrigin::signed(ALICE), model), BadOrigin);
		assert_noop!(
			Marketplace::retire_model(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownModel
		);
		assert_ok!(Marketplace::retire_model(RuntimeOrigin::root(), model));
		System::assert_last_event(Event::ModelRetired { model_id: model }.into());
		assert_noop!(
			Marketplace::retire_model(RuntimeOrigin::root(), model),
			Error::<Test>::AlreadyRetired
		);
		assert!(<Marketplace as ProviderRegistry<_, _>>::active_model(model).is_none());
		assert_noop!(
			Marketplace::register_offer(
				RuntimeOrigin::signed(BOB),
				terms(&[model], &[key(2)], 1, 1)
			),
			Error::<Test>::ModelRetired
		);
	});
}

#[test]
fn register_offer_stores_terms_and_keys() {
	build_and_execute(|| {
		let model = add_model();
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(ALICE),
			terms(&[model], &[key(1), WorkerKey::Ed25519([1; 32])], 5, 2)
		));
		let offer = Offers::<Test>::get(ALICE).unwrap();
		assert_eq!(offer.terms.price_per_unit, 5);
		assert_eq!((offer.paused, offer.in_flight), (false, 0));
		assert_eq!(WorkerKeyOwner::<Test>::get(key(1)), Some(ALICE));
		assert_eq!(WorkerKeyOwner::<Test>::get(WorkerKey::Ed25519([1; 32])), Some(ALICE));
		System::assert_last_event(
			Event::OfferRegistered { provider: ALICE, price_per_unit: 5 }.into(),
		);
	});
}

#[test]
fn register_offer_rejects_each_bad_term() {
	build_and_execute(|| {
		let model = add_model();
		let register = |who, t| Marketplace::register_offer(RuntimeOrigin::signed(who), t);
		assert_noop!(register(ALICE, terms(&[], &[key(1)], 5, 1)), Error::<Test>::NoModels);
		assert_noop!(
			register(ALICE, terms(&[model, model], &[key(1)], 5, 1)),
			Error::<Test>::DuplicateModel
		);
		assert_noop!(register(ALICE, terms(&[7], &[key(1)], 5, 1)), Error::<Test>::UnknownModel);
		assert_noop!(
			register(ALICE, terms(&[model], &[key(1)], 5, 0)),
			Error::<Test>::ZeroCapacity
		);
		let mut no_endpoint = terms(&[model], &[key(1)], 5, 1);
		no_endpoint.endpoint = BoundedVec::new();
		assert_noop!(register(ALICE, no_endpoint), Error::<Test>::EmptyEndpoint);
		assert_noop!(register(ALICE, terms(&[model], &[], 5, 1)), Error::<Test>::NoWorkerKeys);
		assert_noop!(
			register(ALICE, terms(&[model], &[key(1), key(1)], 5, 1)),
			Error::<Test>::DuplicateWorkerKey
		);

		assert_ok!(register(ALICE, terms(&[model], &[key(1)], 5, 1)));
		assert_noop!(register(ALICE, terms(&[model], &[key(2)], 5, 1)), Error::<Test>::OfferExists);
		assert_noop!(
			register(BOB, terms(&[model], &[key(1)], 5, 1)),
			Error::<Test>::WorkerKeyTaken
		);
	});
}

#[test]
fn update_offer_replaces_terms_and_moves_keys() {
	build_and_execute(|| {
		let model = alice_ready();
		assert_noop!(
			Marketplace::update_offer(RuntimeOrigin::signed(BOB), terms(&[model], &[key(2)], 1, 1)),
			Error::<Test>::NoOffer
		);
		assert_ok!(Marketplace::update_offer(
			RuntimeOrigin::signed(ALICE),
			terms(&[model], &[key(1), key(3)], 9, 3)
		));
		assert_ok!(Marketplace::update_offer(
			RuntimeOrigin::signed(ALICE),
			terms(&[model], &[key(3)], 9, 3)
		));
		assert_eq!(WorkerKeyOwner::<Test>::get(key(1)), None, "dropped key is released");
		assert_eq!(WorkerKeyOwner::<Test>::get(key(3)), Some(ALICE));
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().terms.price_per_unit, 9);
		System::assert_last_event(
			Event::OfferUpdated { provider: ALICE, price_per_unit: 9 }.into(),
		);

		// Capacity may not drop below the jobs in flight.
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0));
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0));
		assert_noop!(
			Marketplace::update_offer(
				RuntimeOrigin::signed(ALICE),
				terms(&[model], &[key(3)], 9, 1)
			),
			Error::<Test>::CapacityBelowInFlight
		);
	});
}

#[test]
fn pause_resume_and_their_errors() {
	build_and_execute(|| {
		let model = alice_ready();
		assert_noop!(Marketplace::pause(RuntimeOrigin::signed(BOB)), Error::<Test>::NoOffer);
		assert_noop!(Marketplace::resume(RuntimeOrigin::signed(ALICE)), Error::<Test>::NotPaused);
		assert_ok!(Marketplace::pause(RuntimeOrigin::signed(ALICE)));
		System::assert_last_event(Event::OfferPaused { provider: ALICE }.into());
		assert_noop!(
			Marketplace::pause(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::AlreadyPaused
		);
		assert_noop!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&ALICE,
				&request(model, 10),
				false
			),
			Error::<Test>::OfferPaused
		);
		assert_ok!(Marketplace::resume(RuntimeOrigin::signed(ALICE)));
		System::assert_last_event(Event::OfferResumed { provider: ALICE }.into());
		assert_eq!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&ALICE,
				&request(model, 10),
				false
			),
			Ok(5)
		);
	});
}

#[test]
fn deregister_only_without_jobs_in_flight() {
	build_and_execute(|| {
		let _ = alice_ready();
		assert_noop!(Marketplace::deregister(RuntimeOrigin::signed(BOB)), Error::<Test>::NoOffer);
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0));
		assert_noop!(
			Marketplace::deregister(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::JobsInFlight
		);
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_released(&ALICE, true));
		<Marketplace as ProviderRegistry<_, _>>::record_outcome(
			&ALICE,
			JobOutcome::Completed { gpu_ms: 10 },
		);
		assert_ok!(Marketplace::deregister(RuntimeOrigin::signed(ALICE)));
		System::assert_last_event(Event::OfferDeregistered { provider: ALICE }.into());
		assert!(Offers::<Test>::get(ALICE).is_none());
		assert_eq!(WorkerKeyOwner::<Test>::get(key(1)), None);
		assert_eq!(Reputations::<Test>::get(ALICE).completed, 1, "reputation outlives the offer");
	});
}

#[test]
fn approval_is_governance_only_and_not_twice() {
	build_and_execute(|| {
		assert_noop!(Marketplace::approve_provider(RuntimeOrigin::signed(ALICE), ALICE), BadOrigin);
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), ALICE));
		System::assert_last_event(Event::ProviderApproved { provider: ALICE }.into());
		assert_noop!(
			Marketplace::approve_provider(RuntimeOrigin::root(), ALICE),
			Error::<Test>::AlreadyApproved
		);
		assert_noop!(Marketplace::revoke_approval(RuntimeOrigin::signed(ALICE), ALICE), BadOrigin);
		assert_ok!(Marketplace::revoke_approval(RuntimeOrigin::root(), ALICE));
		System::assert_last_event(Event::ApprovalRevoked { provider: ALICE }.into());
		assert_noop!(
			Marketplace::revoke_approval(RuntimeOrigin::root(), ALICE),
			Error::<Test>::NotApproved
		);
	});
}

#[test]
fn matching_rule_checks_each_condition() {
	build_and_execute(|| {
		let model = add_model();
		let other = add_model();
		let check = |who, model, price| {
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&who,
				&request(model, price),
				false,
			)
		};
		assert_noop!(check(ALICE, model, 10), Error::<Test>::NoOffer);
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(ALICE),
			terms(&[model], &[key(1)], 5, 1)
		));
		assert_noop!(check(ALICE, model, 10), Error::<Test>::NotApproved);
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), ALICE));
		assert_noop!(check(ALICE, other, 10), Error::<Test>::ModelNotServed);
		assert_noop!(check(ALICE, model, 4), Error::<Test>::PriceTooHigh);
		assert_eq!(check(ALICE, model, 5), Ok(5));
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0));
		assert_noop!(check(ALICE, model, 5), Error::<Test>::AtCapacity);
		assert_noop!(
			<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0),
			Error::<Test>::AtCapacity
		);
	});
}

#[test]
fn once_stake_is_required_approval_is_not_enough() {
	build_and_execute(|| {
		let model = alice_ready();
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(BOB),
			terms(&[model], &[key(2)], 1, 1)
		));
		require_stake(Some(BOB));
		let check = |who| {
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&who,
				&request(model, 10),
				false,
			)
		};
		assert_noop!(check(ALICE), Error::<Test>::InsufficientStake);
		assert_eq!(check(BOB), Ok(1), "bonded providers need no approval");
	});
}

#[test]
fn reputation_counts_outcomes_and_keeps_a_median() {
	build_and_execute(|| {
		let _ = alice_ready();
		let registry = |outcome| {
			assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, 0));
			assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_released(&ALICE, true));
			<Marketplace as ProviderRegistry<_, _>>::record_outcome(&ALICE, outcome);
		};
		for gpu_ms in [50, 10, 40, 20, 30, 1_000] {
			registry(JobOutcome::Completed { gpu_ms });
		}
		registry(JobOutcome::Expired);
		registry(JobOutcome::CancelledAfterAssign);
		registry(JobOutcome::FailedCheck);
		let reputation = Reputations::<Test>::get(ALICE);
		assert_eq!(
			(
				reputation.completed,
				reputation.expired,
				reputation.cancelled_after_assign,
				reputation.failed_checks
			),
			(6, 1, 1, 1)
		);
		// Window of 5: the first sample (50) fell out; median of 10, 20, 30, 40, 1000 is 30.
		assert_eq!(reputation.recent_gpu_ms.to_vec(), vec![10, 40, 20, 30, 1_000]);
		assert_eq!(reputation.median_gpu_ms(), Some(30));
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().in_flight, 0);
	});
}

#[test]
fn releasing_a_job_that_was_never_assigned_is_an_error() {
	build_and_execute(|| {
		let _ = alice_ready();
		assert_noop!(
			<Marketplace as ProviderRegistry<_, _>>::job_released(&ALICE, true),
			Error::<Test>::NoJobInFlight
		);
		assert_noop!(
			<Marketplace as ProviderRegistry<_, _>>::job_released(&BOB, true),
			Error::<Test>::NoOffer
		);
	});
}

#[test]
fn governance_calls_and_approved_providers_offer_calls_are_feeless() {
	use frame_support::dispatch::CheckIfFeeless;
	build_and_execute(|| {
		let model = add_model();
		let approve = RuntimeCall::Marketplace(Call::approve_provider { provider: ALICE });
		assert!(approve.is_feeless(&RuntimeOrigin::root()));
		assert!(!approve.is_feeless(&RuntimeOrigin::signed(ALICE)));
		let register = RuntimeCall::Marketplace(Call::register_offer {
			terms: terms(&[model], &[key(1)], 5, 2),
		});
		assert!(!register.is_feeless(&RuntimeOrigin::signed(ALICE)), "unapproved providers pay");
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), ALICE));
		assert!(register.is_feeless(&RuntimeOrigin::signed(ALICE)));
		assert!(RuntimeCall::Marketplace(Call::pause {}).is_feeless(&RuntimeOrigin::signed(ALICE)));
		assert!(!RuntimeCall::Marketplace(Call::pause {}).is_feeless(&RuntimeOrigin::signed(BOB)));
	});
}

#[test]
fn approval_lets_a_provider_exist_without_any_balance() {
	build_and_execute(|| {
		assert_eq!(System::providers(&ALICE), 0);
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), ALICE));
		assert_eq!(System::providers(&ALICE), 1, "can pass CheckNonce with zero AIT");
		assert_ok!(Marketplace::revoke_approval(RuntimeOrigin::root(), ALICE));
		assert_eq!(System::providers(&ALICE), 0);
	});
}

#[test]
fn genesis_bootstrap_accounts_and_providers() {
	use sp_runtime::BuildStorage;
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> { bootstrap_accounts: vec![ALICE], approved_providers: vec![BOB] }
		.assimilate_storage(&mut storage)
		.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(System::providers(&ALICE), 1);
		assert_eq!(System::providers(&BOB), 1);
		assert!(Approved::<Test>::contains_key(BOB));
		assert!(!Approved::<Test>::contains_key(ALICE));
		Marketplace::do_try_state().unwrap();
	});
}

const CAROL: u64 = 3;

fn registry_assigned(who: u64) {
	assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&who, 0));
}

fn feasibility(model: ModelId, pixels: u64, max_price: u128, ahead: u32) -> Feasibility<u128> {
	<Marketplace as ProviderRegistry<_, _>>::feasibility(
		&JobRequest { model, pixels, max_price },
		ahead,
	)
}

/// Registers and approves `who` serving `model` at `price` with `capacity` and `max_pixels`.
fn provider_ready(who: u64, model: ModelId, price: u128, capacity: u32, max_pixels: u32) {
	let offer = OfferTerms { max_pixels, ..terms(&[model], &[key(who as u8)], price, capacity) };
	assert_ok!(Marketplace::register_offer(RuntimeOrigin::signed(who), offer));
	assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), who));
}

#[test]
fn an_offer_must_run_at_least_the_smallest_image() {
	build_and_execute(|| {
		let model = add_model();
		let offer = OfferTerms { max_pixels: 64 * 64 - 1, ..terms(&[model], &[key(1)], 5, 1) };
		assert_noop!(
			Marketplace::register_offer(RuntimeOrigin::signed(ALICE), offer),
			Error::<Test>::InvalidMaxPixels
		);
	});
}

#[test]
fn heartbeats_are_rate_limited_per_provider_and_bounded_per_block() {
	use frame_support::dispatch::CheckIfFeeless;
	build_and_execute(|| {
		let model = add_model();
		let beat = |who| Marketplace::heartbeat(RuntimeOrigin::signed(who));
		let feeless = |who| {
			RuntimeCall::Marketplace(Call::heartbeat {}).is_feeless(&RuntimeOrigin::signed(who))
		};
		assert_noop!(beat(ALICE), Error::<Test>::NoOffer);
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(ALICE),
			terms(&[model], &[key(1)], 5, 1)
		));
		System::set_block_number(4);
		assert_noop!(beat(ALICE), Error::<Test>::NotApproved);
		assert!(!feeless(ALICE), "an unapproved provider pays for its heartbeats");
		for who in [ALICE, BOB, CAROL] {
			if who != ALICE {
				assert_ok!(Marketplace::register_offer(
					RuntimeOrigin::signed(who),
					terms(&[model], &[key(who as u8)], 5, 1)
				));
			}
			assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), who));
		}
		// Bob and Carol registered in block 4: a heartbeat now would say nothing new.
		assert_noop!(beat(BOB), Error::<Test>::HeartbeatTooSoon);
		assert!(!feeless(BOB));
		assert!(feeless(ALICE));
		assert_ok!(beat(ALICE));
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().last_seen, 4);
		assert_noop!(beat(ALICE), Error::<Test>::HeartbeatTooSoon);
		System::set_block_number(6);
		assert_noop!(beat(ALICE), Error::<Test>::HeartbeatTooSoon);
		// Block 7: all three are due, but a block takes only two.
		System::set_block_number(7);
		assert_ok!(beat(ALICE));
		assert_ok!(beat(BOB));
		assert!(!feeless(CAROL), "past the per-block bound a heartbeat is not free");
		assert_noop!(beat(CAROL), Error::<Test>::TooManyHeartbeats);
		System::set_block_number(8);
		assert_ok!(beat(CAROL));
		assert_eq!(HeartbeatsInBlock::<Test>::get(), (8, 1));
	});
}

#[test]
fn claims_and_receipts_are_signs_of_life_and_an_expiry_is_not() {
	build_and_execute(|| {
		let model = add_model();
		provider_ready(ALICE, model, 5, 2, 512 * 512);
		let live = |at: u64| Marketplace::is_live(&Offers::<Test>::get(ALICE).unwrap(), at);
		let registered = Offers::<Test>::get(ALICE).unwrap().last_seen;
		assert!(live(registered + 9));
		assert!(!live(registered + 10), "the window is 10 blocks");
		System::set_block_number(20);
		registry_assigned(ALICE);
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().last_seen, 20);
		System::set_block_number(25);
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_released(&ALICE, false));
		assert_eq!(
			Offers::<Test>::get(ALICE).unwrap().last_seen,
			20,
			"an expiry is no sign of life"
		);
		registry_assigned(ALICE);
		System::set_block_number(27);
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_released(&ALICE, true));
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().last_seen, 27);
	});
}

#[test]
fn the_matching_rule_checks_size_and_asks_liveness_only_of_assignment() {
	build_and_execute(|| {
		let model = add_model();
		provider_ready(ALICE, model, 5, 1, 512 * 512);
		let big = JobRequest { model, pixels: 512 * 520, max_price: 10 };
		assert_noop!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(&ALICE, &big, false),
			Error::<Test>::ImageTooLarge
		);
		let fits = JobRequest { pixels: 512 * 512, ..big };
		System::set_block_number(100);
		// Offline for the hub, but a claim is itself a sign of life.
		let offer = Offers::<Test>::get(ALICE).unwrap();
		assert!(matches!(
			Marketplace::match_offer(&ALICE, &offer, &fits, Some(100)),
			Err(Error::<Test>::ProviderOffline)
		));
		assert_eq!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(&ALICE, &fits, false),
			Ok(5)
		);
	});
}

#[test]
fn feasibility_counts_each_stage_and_names_the_first_empty_one() {
	build_and_execute(|| {
		let model = add_model();
		let unserved = add_model();
		assert_eq!(feasibility(model, 256 * 256, 10, 0).blocker, Some(NoProvider::ModelNotServed));
		provider_ready(ALICE, model, 5, 2, 512 * 512);
		provider_ready(BOB, model, 8, 1, 1_024 * 1_024);
		// Carol serves the model but is paused: she is not counted at all.
		provider_ready(CAROL, model, 1, 1, 512 * 512);
		assert_ok!(Marketplace::pause(RuntimeOrigin::signed(CAROL)));

		let all = feasibility(model, 256 * 256, 10, 0);
		assert_eq!(
			(all.serving, all.live, all.within_price, all.able, all.free, all.blocker),
			(2, 2, 2, 2, 2, None)
		);
		assert_eq!((all.cheapest_price, all.largest_pixels), (Some(5), Some(1_024 * 1_024)));
		assert_eq!(
			feasibility(unserved, 256 * 256, 10, 0).blocker,
			Some(NoProvider::ModelNotServed)
		);

		let cheap = feasibility(model, 256 * 256, 4, 0);
		assert_eq!((cheap.live, cheap.within_price), (2, 0));
		assert_eq!(
			(cheap.blocker, cheap.cheapest_price),
			(Some(NoProvider::AllAbovePrice), Some(5))
		);

		let large = feasibility(model, 768 * 768, 6, 0);
		assert_eq!((large.within_price, large.able), (1, 0));
		assert_eq!(large.blocker, Some(NoProvider::SizeBeyondLimits));
		assert_eq!(large.largest_pixels, Some(512 * 512), "the largest within the price limit");
		assert_eq!(feasibility(model, 768 * 768, 10, 0).able, 1, "Bob runs it");

		// Busy is not a blocker: the job waits. Medians 100 (Alice) and 300 (Bob); three jobs
		// ahead, no slot free, three slots: the job starts after two waves of the lower median.
		for (who, gpu_ms) in [(ALICE, 100), (BOB, 300)] {
			<Marketplace as ProviderRegistry<_, _>>::record_outcome(
				&who,
				JobOutcome::Completed { gpu_ms },
			);
		}
		registry_assigned(ALICE);
		registry_assigned(ALICE);
		registry_assigned(BOB);
		let busy = feasibility(model, 256 * 256, 10, 3);
		assert_eq!((busy.able, busy.free, busy.blocker), (2, 0, None));
		assert_eq!((busy.pending_ahead, busy.wait_estimate_ms), (3, Some(200)));

		// Ten blocks without a sign of life: everyone is offline, until a heartbeat.
		System::set_block_number(System::block_number() + 10);
		let offline = feasibility(model, 256 * 256, 10, 0);
		assert_eq!((offline.serving, offline.live), (2, 0));
		assert_eq!(offline.blocker, Some(NoProvider::AllOffline));
		assert_ok!(Marketplace::heartbeat(RuntimeOrigin::signed(BOB)));
		assert_eq!(feasibility(model, 256 * 256, 10, 0).live, 1);
	});
}
