//! Benchmarks of the exchange (frame-benchmarking v2), each at its worst case: fills across
//! distinct price levels, the order removed from the back of a full queue, expiries due in the
//! same block.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate as _, fungibles::Mutate as _};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};

/// Opens pair 0 (lot 1, tick 1, one lot minimum) on a new quote asset.
fn open_pair<T: Config>() -> Result<(PairId, T::AssetId), BenchmarkError> {
	let asset = T::BenchmarkHelper::create_quote_asset();
	let origin =
		T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
	let pair = NextPairId::<T>::get();
	Pallet::<T>::create_pair(origin, asset, 1u32.into(), 1u32.into(), 1)?;
	Ok((pair, asset))
}

/// An account with plenty of AIT and quote.
fn trader<T: Config>(name: &'static str, index: u32, asset: T::AssetId) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let plenty: BalanceOf<T> = 1_000_000_000u32.into();
	T::Currency::set_balance(&who, plenty);
	let _ = T::Assets::mint_into(asset, &who, plenty);
	who
}

/// `makers` sell orders of one lot each from distinct accounts, spread over as many price levels
/// as the bounds allow (the costliest way to fill `makers` lots); returns the highest price.
fn resting_asks<T: Config>(
	pair: PairId,
	asset: T::AssetId,
	makers: u32,
) -> Result<u32, BenchmarkError> {
	let per_level = T::MaxOrdersPerLevel::get().max(1);
	let needed_levels = makers.div_ceil(per_level).max(1);
	ensure!(
		needed_levels <= T::MaxLevels::get(),
		BenchmarkError::Stop("MaxLevels × MaxOrdersPerLevel < MaxFills")
	);
	let mut top = 10;
	for i in 0..makers {
		let price = 10 + i / per_level;
		top = top.max(price);
		let maker = trader::<T>("maker", i, asset);
		Pallet::<T>::place_limit(
			RawOrigin::Signed(maker).into(),
			pair,
			Side::Sell,
			price.into(),
			1,
			None,
		)
		.map_err(|e| e.error)?;
	}
	Ok(top)
}

/// Bids at `MaxLevels` − 1 prices (1, 2, …) from distinct accounts, and a taker with as many
/// orders at price 1 as fit there; returns the pair, the taker and the next best price.
fn crowded_bids<T: Config>() -> Result<(PairId, T::AccountId, BalanceOf<T>), BenchmarkError> {
	let (pair, asset) = open_pair::<T>()?;
	let levels = T::MaxLevels::get().saturating_sub(1);
	for price in 1..=levels {
		let other = trader::<T>("other", price, asset);
		Pallet::<T>::place_limit(
			RawOrigin::Signed(other).into(),
			pair,
			Side::Buy,
			price.into(),
			1,
			None,
		)
		.map_err(|e| e.error)?;
	}
	let taker = trader::<T>("taker", 0, asset);
	let own = T::MaxOrdersPerAccount::get().min(T::MaxOrdersPerLevel::get()).saturating_sub(1);
	for _ in 0..own {
		Pallet::<T>::place_limit(
			RawOrigin::Signed(taker.clone()).into(),
			pair,
			Side::Buy,
			1u32.into(),
			1,
			None,
		)
		.map_err(|e| e.error)?;
	}
	Ok((pair, taker, levels.saturating_add(1).into()))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_pair() -> Result<(), BenchmarkError> {
		let asset = T::BenchmarkHelper::create_quote_asset();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, asset, 1u32.into(), 1u32.into(), 1);
		assert!(Pairs::<T>::contains_key(NextPairId::<T>::get() - 1));
		Ok(())
	}

	#[benchmark]
	fn set_pair_open() -> Result<(), BenchmarkError> {
		let (pair, _) = open_pair::<T>()?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, pair, false);
		assert!(!Pairs::<T>::get(pair).unwrap().open);
		Ok(())
	}

	/// `f` fills, each emptying a level or a queue entry, then the rest rests with an expiry.
	#[benchmark]
	fn place_limit(f: Linear<0, { T::MaxFills::get() }>) -> Result<(), BenchmarkError> {
		let (pair, asset) = open_pair::<T>()?;
		let top = resting_asks::<T>(pair, asset, f)?;
		let taker = trader::<T>("taker", 0, asset);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(taker.clone()),
			pair,
			Side::Buy,
			top.into(),
			(f + 1) as Lots,
			Some(BlockNumberFor::<T>::from(1u32)),
		);
		assert_eq!(Pallet::<T>::open_orders(&taker).len(), 1);
		Ok(())
	}

	/// A limit order that trades with nothing and rests, without an expiry: a new best bid on a
	/// side one level short of `MaxLevels`, its owner already holding as many orders as fit at
	/// one price.
	#[benchmark]
	fn place_limit_resting() -> Result<(), BenchmarkError> {
		let (pair, taker, best) = crowded_bids::<T>()?;
		#[extrinsic_call]
		place_limit(RawOrigin::Signed(taker), pair, Side::Buy, best, 1, None);
		assert_eq!(Levels::<T>::get(pair, Side::Buy).first(), Some(&best));
		Ok(())
	}

	/// As `place_limit_resting`, with an expiry.
	#[benchmark]
	fn place_limit_resting_expiring() -> Result<(), BenchmarkError> {
		let (pair, taker, best) = crowded_bids::<T>()?;
		let expires_in = Some(BlockNumberFor::<T>::from(1u32));
		#[extrinsic_call]
		place_limit(RawOrigin::Signed(taker), pair, Side::Buy, best, 1, expires_in);
		assert_eq!(Levels::<T>::get(pair, Side::Buy).first(), Some(&best));
		Ok(())
	}

	/// `f` fills of a market order.
	#[benchmark]
	fn place_market(f: Linear<1, { T::MaxFills::get() }>) -> Result<(), BenchmarkError> {
		let (pair, asset) = open_pair::<T>()?;
		let top = resting_asks::<T>(pair, asset, f)?;
		let taker = trader::<T>("taker", 0, asset);
		#[extrinsic_call]
		_(RawOrigin::Signed(taker), pair, Side::Buy, f as Lots, top.into());
		assert!(Levels::<T>::get(pair, Side::Sell).is_empty());
		Ok(())
	}

	/// The order at the back of a full queue, the owner's last of a full list, with an expiry.
	#[benchmark]
	fn cancel() -> Result<(), BenchmarkError> {
		let (pair, asset) = open_pair::<T>()?;
		for i in 1..T::MaxOrdersPerLevel::get() {
			let other = trader::<T>("other", i, asset);
			Pallet::<T>::place_limit(
				RawOrigin::Signed(other).into(),
				pair,
				Side::Buy,
				5u32.into(),
				1,
				None,
			)
			.map_err(|e| e.error)?;
		}
		// The owner's other orders, on other levels (as few as the level bound allows).
		let owner = trader::<T>("owner", 0, asset);
		let per_level = T::MaxOrdersPerLevel::get().max(1);
		for i in 1..T::MaxOrdersPerAccount::get() {
			let price: u32 = 6 + (i - 1) / per_level;
			Pallet::<T>::place_limit(
				RawOrigin::Signed(owner.clone()).into(),
				pair,
				Side::Buy,
				price.into(),
				1,
				None,
			)
			.map_err(|e| e.error)?;
		}
		let order = NextOrderId::<T>::get();
		Pallet::<T>::place_limit(
			RawOrigin::Signed(owner.clone()).into(),
			pair,
			Side::Buy,
			5u32.into(),
			1,
			Some(BlockNumberFor::<T>::from(1u32)),
		)
		.map_err(|e| e.error)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), order);
		assert!(!Orders::<T>::contains_key(order));
		Ok(())
	}

	#[benchmark]
	fn cancel_all(n: Linear<0, { T::MaxOrdersPerAccount::get() }>) -> Result<(), BenchmarkError> {
		let (pair, asset) = open_pair::<T>()?;
		let owner = trader::<T>("owner", 0, asset);
		let per_level = T::MaxOrdersPerLevel::get().max(1);
		for i in 0..n {
			let price: u32 = 1 + i / per_level;
			Pallet::<T>::place_limit(
				RawOrigin::Signed(owner.clone()).into(),
				pair,
				Side::Buy,
				price.into(),
				1,
				None,
			)
			.map_err(|e| e.error)?;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), None);
		assert!(AccountOrders::<T>::get(&owner).is_empty());
		Ok(())
	}

	/// `n` orders of distinct owners and prices expiring in the same block.
	#[benchmark]
	fn expire(
		n: Linear<0, { T::MaxExpiriesPerBlock::get().min(T::MaxLevels::get()) }>,
	) -> Result<(), BenchmarkError> {
		let (pair, asset) = open_pair::<T>()?;
		let now = frame_system::Pallet::<T>::block_number();
		for i in 0..n {
			let owner = trader::<T>("owner", i, asset);
			Pallet::<T>::place_limit(
				RawOrigin::Signed(owner).into(),
				pair,
				Side::Buy,
				(1 + i).into(),
				1,
				Some(BlockNumberFor::<T>::from(1u32)),
			)
			.map_err(|e| e.error)?;
		}
		let due = now + BlockNumberFor::<T>::from(1u32);
		#[block]
		{
			Pallet::<T>::expire(due);
		}
		assert_eq!(Orders::<T>::iter().count(), 0);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
