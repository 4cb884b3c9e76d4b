//! Benchmarks of the jobs pallet (frame-benchmarking v2), each at its worst case: full queues,
//! longest prompt, payments in escrow. Providers and models come from the marketplace pallet.

use super::*;
use aitbc_primitives::Scheduler;
use frame_benchmarking::v2::*;
use frame_support::traits::Hooks;
use frame_system::RawOrigin;
use pallet_aitbc_marketplace::Pallet as Marketplace;

fn params() -> JobParams {
	JobParams {
		steps: 50,
		guidance_milli: 7_500,
		width: 512,
		height: 512,
		seed: 1,
		scheduler: Scheduler::Ddim,
	}
}

/// A job's payment: the smallest one allowed (the existential deposit), at least 1000.
fn payment<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().max(1_000u32.into())
}

/// An account holding enough for a thousand payments.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, payment::<T>().saturating_mul(1_000u32.into()));
	who
}

/// Submits a paid job from `client` and returns its id.
fn submit<T: Config>(
	client: &T::AccountId,
	model: ModelId,
	prompt_len: u32,
) -> Result<JobId, BenchmarkError> {
	let job_id = NextJobId::<T>::get();
	Pallet::<T>::submit_job(
		RawOrigin::Signed(client.clone()).into(),
		model,
		BoundedVec::truncate_from(alloc::vec![b'p'; prompt_len as usize]),
		params(),
		1_000u32.into(),
		payment::<T>(),
		T::MinDeadline::get(),
	)?;
	Ok(job_id)
}

/// Submits a paid batch of `count` images from `client` with the longest prompt; returns its
/// id.
fn submit_batch_of<T: Config>(
	client: &T::AccountId,
	model: ModelId,
	count: u32,
) -> Result<BatchId, BenchmarkError> {
	let batch_id = NextBatchId::<T>::get();
	Pallet::<T>::submit_batch(
		RawOrigin::Signed(client.clone()).into(),
		model,
		BoundedVec::truncate_from(alloc::vec![b'p'; T::MaxPromptLen::get() as usize]),
		params(),
		count,
		1,
		1_000u32.into(),
		payment::<T>().saturating_mul(count.into()),
		T::MinDeadline::get(),
	)?;
	Ok(batch_id)
}

/// Reserves `job_id` for `provider`, taking one of its slots, until `accept_by`.
fn reserve<T: Config>(
	job_id: JobId,
	provider: &T::AccountId,
	accept_by: BlockNumberFor<T>,
) -> Result<(), BenchmarkError> {
	let model = Jobs::<T>::get(job_id).map_or(0, |job| job.model_id);
	T::Providers::slot_reserved(provider, model)?;
	ReservationsDue::<T>::try_mutate(accept_by, |due| due.try_push(job_id))
		.map_err(|_| BenchmarkError::Stop("the reservation schedule is full"))?;
	Reservations::<T>::insert(job_id, Reservation { provider: provider.clone(), accept_by });
	Ok(())
}

/// The block a reservation made now lapses in.
fn accept_by<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_add(T::AcceptWindow::get())
}

/// An approved provider serving the model, and a paid pending job with the longest prompt
/// reserved for it (the costlier claim: the reservation is read and turned into the
/// assignment).
fn claimable_job<T: Config + pallet_aitbc_marketplace::Config<Balance = BalanceOf<T>>>(
) -> Result<(T::AccountId, JobId), BenchmarkError> {
	let model = Marketplace::<T>::benchmark_model();
	let provider: T::AccountId = account("provider", 0, 0);
	Marketplace::<T>::benchmark_provider(&provider, model, 1, alloc::vec::Vec::new());
	let client = funded::<T>("client", 0);
	let job_id = submit::<T>(&client, model, T::MaxPromptLen::get())?;
	reserve::<T>(job_id, &provider, accept_by::<T>())?;
	Ok((provider, job_id))
}

/// The most jobs `reserve_pending` is measured looking at without a pick: 512, or what the
/// queue holds besides the picks.
fn measured_looks<T: Config + pallet_aitbc_marketplace::Config>() -> u32 {
	T::MaxPendingJobs::get().saturating_sub(measured_picks::<T>().saturating_add(1)).min(512)
}

/// The most picks `reserve_pending` is measured with: each for a job of a model of its own,
/// so that each asks a fresh window of providers; one more pick, for a job of one more model,
/// finds nobody.
fn measured_picks<T: Config + pallet_aitbc_marketplace::Config>() -> u32 {
	let models = <T as pallet_aitbc_marketplace::Config>::MaxModels::get();
	T::MaxReservationsPerBlock::get().saturating_sub(1).min(models.saturating_sub(1))
}

/// Fills the pending queue with placeholder ids up to `len` (its decode/encode cost is what
/// matters; the ids point at no job).
fn fill_queue<T: Config>(len: u32) {
	PendingJobs::<T>::mutate(|queue| {
		while (queue.len() as u32) < len {
			let _ = queue.try_push(JobId::MAX - queue.len() as u64);
		}
	});
}

#[benchmarks(where T: pallet_aitbc_marketplace::Config<Balance = BalanceOf<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_job(p: Linear<1, { T::MaxPromptLen::get() }>) {
		let model = Marketplace::<T>::benchmark_model();
		let client = funded::<T>("client", 0);
		fill_queue::<T>(T::MaxPendingJobs::get() - 1);
		let prompt = BoundedVec::truncate_from(alloc::vec![b'p'; p as usize]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(client.clone()),
			model,
			prompt,
			params(),
			1_000u32.into(),
			payment::<T>(),
			T::MinDeadline::get(),
		);
		assert_eq!(OpenJobs::<T>::get(&client), 1);
	}

	/// A batch of `n` images with a prompt of `p` bytes, one image per shard: `n` shards (the
	/// call is weighed by its number of shards, each a job written), into a queue with room for
	/// exactly its shards.
	#[benchmark]
	fn submit_batch(
		n: Linear<1, { T::MaxBatchSize::get() }>,
		p: Linear<1, { T::MaxPromptLen::get() }>,
	) {
		let model = Marketplace::<T>::benchmark_model();
		let client = funded::<T>("client", 0);
		fill_queue::<T>(T::MaxPendingJobs::get() - n);
		let prompt = BoundedVec::truncate_from(alloc::vec![b'p'; p as usize]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(client.clone()),
			model,
			prompt,
			params(),
			n,
			1,
			1_000u32.into(),
			payment::<T>().saturating_mul(n.into()),
			T::MinDeadline::get(),
		);
		assert_eq!(OpenJobs::<T>::get(&client), 1);
		assert_eq!(Batches::<T>::get(0).map(|b| b.count), Some(n));
	}

	/// `n` pending shards of a batch cancelled out of a full queue, each refunded; the last
	/// completes the batch.
	#[benchmark]
	fn cancel_batch(n: Linear<1, { T::MaxBatchSize::get() }>) -> Result<(), BenchmarkError> {
		let model = Marketplace::<T>::benchmark_model();
		let client = funded::<T>("client", 0);
		let batch_id = submit_batch_of::<T>(&client, model, n)?;
		fill_queue::<T>(T::MaxPendingJobs::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(client.clone()), batch_id);
		assert!(Batches::<T>::get(batch_id).is_some_and(|b| b.completed_at.is_some()));
		assert_eq!(OpenJobs::<T>::get(&client), 0);
		Ok(())
	}

	#[benchmark]
	fn claim_job() -> Result<(), BenchmarkError> {
		let (provider, job_id) = claimable_job::<T>()?;
		fill_queue::<T>(T::MaxPendingJobs::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(provider), job_id);
		assert!(matches!(Jobs::<T>::get(job_id).map(|j| j.state), Some(JobState::Assigned { .. })));
		Ok(())
	}

	/// The claim rule alone (the job read with the longest prompt, the provider's offer and
	/// model checked), as the transaction pool runs it: once in `CheckClaim`, once more when
	/// the transaction extension decides whether the claim is feeless.
	#[benchmark]
	fn check_claim() -> Result<(), BenchmarkError> {
		let (provider, job_id) = claimable_job::<T>()?;
		#[block]
		{
			Pallet::<T>::check_claim(&provider, job_id)?;
		}
		Ok(())
	}

	#[benchmark]
	fn cancel_job() -> Result<(), BenchmarkError> {
		let model = Marketplace::<T>::benchmark_model();
		let client = funded::<T>("client", 0);
		// The one shard of a batch: cancelling it also completes its batch.
		let job_id = NextJobId::<T>::get();
		submit_batch_of::<T>(&client, model, 1)?;
		// Reserved for a provider: cancelling also ends the reservation and frees its slot.
		let provider: T::AccountId = account("provider", 0, 0);
		Marketplace::<T>::benchmark_provider(&provider, model, 1, alloc::vec::Vec::new());
		reserve::<T>(job_id, &provider, accept_by::<T>())?;
		fill_queue::<T>(T::MaxPendingJobs::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(client), job_id);
		assert_eq!(Jobs::<T>::get(job_id).map(|j| j.state), Some(JobState::Cancelled));
		assert!(!Reservations::<T>::contains_key(job_id));
		Ok(())
	}

	/// The hub's pass: `l` pending jobs looked at and not asked for (a request like one no
	/// provider was found for), then `p` picks, each for a job of another model whose rotation
	/// holds `MaxProbesPerPick` providers who could all take the job, none with a spotless
	/// record: every pick reads a fresh window and compares every provider in it (the most it
	/// reads), the first of whom takes the job.
	#[benchmark]
	fn reserve_pending(
		l: Linear<0, { measured_looks::<T>() }>,
		p: Linear<0, { measured_picks::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let probes = <T as pallet_aitbc_marketplace::Config>::MaxProbesPerPick::get()
			.min(<T as pallet_aitbc_marketplace::Config>::MaxProvidersPerModel::get())
			.max(1);
		let unserved = Marketplace::<T>::benchmark_model();
		let mut models = alloc::vec::Vec::new();
		for window in 0..p {
			let model = Marketplace::<T>::benchmark_model();
			for probe in 0..probes {
				let fitting: T::AccountId = account("fitting", window * probes + probe, 0);
				Marketplace::<T>::benchmark_provider(&fitting, model, 1, alloc::vec::Vec::new());
				Marketplace::<T>::benchmark_unreliable(&fitting);
			}
			models.push(model);
		}
		// The first job of the unserved model is asked for and finds nobody; the `l` after it
		// ask no less and are only looked at.
		let mut client = 0u32;
		let mut next_client = || {
			client = client.saturating_add(1);
			funded::<T>("client", client)
		};
		for _ in 0..=l {
			submit::<T>(&next_client(), unserved, T::MaxPromptLen::get())?;
		}
		let mut served = alloc::vec::Vec::new();
		for model in models {
			served.push(submit::<T>(&next_client(), model, T::MaxPromptLen::get())?);
		}
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::reserve_pending(now, Weight::MAX);
		}
		assert!(served.iter().all(|job_id| Reservations::<T>::contains_key(job_id)));
		assert_eq!(Reservations::<T>::iter().count() as u32, p);
		Ok(())
	}

	/// `n` reservations of `n` providers lapse in one block.
	#[benchmark]
	fn lapse_reservations(
		n: Linear<0, { T::MaxReservationsPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let model = Marketplace::<T>::benchmark_model();
		let due = accept_by::<T>();
		for i in 0..n {
			let provider: T::AccountId = account("provider", i, 0);
			Marketplace::<T>::benchmark_provider(&provider, model, 1, alloc::vec::Vec::new());
			let job_id = submit::<T>(&funded::<T>("client", i), model, T::MaxPromptLen::get())?;
			reserve::<T>(job_id, &provider, due)?;
		}
		#[block]
		{
			Pallet::<T>::lapse_reservations(due);
		}
		assert_eq!(Reservations::<T>::iter().count(), 0);
		Ok(())
	}

	/// `n` assigned jobs expire in one block, each of its own client and provider (so no write
	/// is shared). Each is the one shard of a batch and finds the pending queue full, the most
	/// work an expiry does: it cannot go back to the queue, so it ends, refunds its escrowed
	/// payment and completes its batch (a single job's expiry does the same less the batch). The
	/// provider's slash is weighed apart (`OnJobExpired::weight`).
	#[benchmark]
	fn on_initialize(
		n: Linear<0, { T::MaxDeadlinesPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let model = Marketplace::<T>::benchmark_model();
		for i in 0..n {
			let provider: T::AccountId = account("provider", i, 0);
			Marketplace::<T>::benchmark_provider(&provider, model, 1, alloc::vec::Vec::new());
			let job_id = NextJobId::<T>::get();
			submit_batch_of::<T>(&funded::<T>("client", i), model, 1)?;
			Pallet::<T>::claim_job(RawOrigin::Signed(provider).into(), job_id)?;
		}
		fill_queue::<T>(T::MaxPendingJobs::get());
		let deadline =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MinDeadline::get());
		#[block]
		{
			Pallet::<T>::on_initialize(deadline);
		}
		assert!(Deadlines::<T>::get(deadline).is_empty());
		Ok(())
	}

	/// `u` pending jobs of `u` clients waited `PendingTimeout` blocks and end unclaimed in one
	/// block, each refunding an escrowed payment; one more pending job is read and found not yet
	/// due, and the queue is full.
	#[benchmark]
	fn end_unclaimed(
		u: Linear<0, { T::MaxUnclaimedPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let model = Marketplace::<T>::benchmark_model();
		let mut ending = alloc::vec::Vec::new();
		// Each the one shard of a batch: ending it also completes its batch.
		for i in 0..u {
			ending.push(NextJobId::<T>::get());
			submit_batch_of::<T>(&funded::<T>("client", i), model, 1)?;
		}
		let submitted = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(submitted.saturating_add(1u32.into()));
		let fresh = submit::<T>(&funded::<T>("client", u32::MAX), model, T::MaxPromptLen::get())?;
		fill_queue::<T>(T::MaxPendingJobs::get());
		let now = submitted.saturating_add(T::PendingTimeout::get());
		#[block]
		{
			Pallet::<T>::end_unclaimed(now);
		}
		for job_id in ending {
			assert_eq!(Jobs::<T>::get(job_id).map(|j| j.state), Some(JobState::Unclaimed));
		}
		assert_eq!(PendingJobs::<T>::get().first(), Some(&fresh));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
