//! What the probes and the artifact checks share: once-per-block claims in the node's local
//! storage, concurrent HTTP GETs within one deadline, signing and submitting a report, and the
//! checks and pool validity every signed report gets.

use crate::*;
use alloc::{string::String, vec::Vec};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	offchain::{
		http,
		storage::{MutateStorageError, StorageValueRef},
		Duration,
	},
	traits::{UniqueSaturatedInto, Zero},
	RuntimeAppPublic,
};

/// Why a GET gave no body.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Failed {
	/// No answer before the deadline, the connection failed, or no URL.
	NoAnswer,
	/// An HTTP status other than 200.
	Status(u16),
	/// A body longer than the limit.
	TooLong,
}

/// Claims `value` (a round or a block) under the local storage `key`: `false` if this node
/// already claimed it or a later one (a block imported again, on a fork, is not done twice).
pub(crate) fn claim_once(key: &[u8], value: u32) -> bool {
	let claimed =
		StorageValueRef::persistent(key).mutate(|last: Result<Option<u32>, _>| match last {
			Ok(Some(last)) if last >= value => Err(()),
			_ => Ok(value),
		});
	!matches!(
		claimed,
		Err(MutateStorageError::ValueFunctionFailed(())
			| MutateStorageError::ConcurrentModification(_))
	)
}

/// GETs every URL at once, all within one deadline `timeout_ms` from now, and hands each body
/// (at most `max_bytes`) to `read` with its index as it is read, so that only one is held at a
/// time; one result or failure each, in order.
pub(crate) fn get_all<R>(
	urls: &[Option<String>],
	timeout_ms: u64,
	max_bytes: usize,
	mut read: impl FnMut(usize, Vec<u8>) -> R,
) -> Vec<Result<R, Failed>> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms));
	let mut results: Vec<Result<R, Failed>> = Vec::with_capacity(urls.len());
	let (mut pending, mut waiting) = (Vec::new(), Vec::new());
	for (index, url) in urls.iter().enumerate() {
		let sent =
			url.as_ref().and_then(|url| http::Request::get(url).deadline(deadline).send().ok());
		if let Some(request) = sent {
			pending.push(request);
			waiting.push(index);
		}
		results.push(Err(Failed::NoAnswer));
	}
	let answers = http::PendingRequest::try_wait_all(pending, deadline);
	for (index, answer) in waiting.into_iter().zip(answers) {
		results[index] = match answer {
			Ok(Ok(response)) if response.code == 200 => {
				let mut body = response.body();
				body.deadline(deadline);
				let bytes: Vec<u8> = body.by_ref().take(max_bytes.saturating_add(1)).collect();
				if body.error().is_some() {
					Err(Failed::NoAnswer)
				} else if bytes.len() > max_bytes {
					Err(Failed::TooLong)
				} else {
					Ok(read(index, bytes))
				}
			},
			Ok(Ok(response)) => Err(Failed::Status(response.code)),
			_ => Err(Failed::NoAnswer),
		};
	}
	results
}

/// `<endpoint><path>`, if the endpoint is a UTF-8 http(s) URL.
pub(crate) fn endpoint_url(endpoint: &[u8], path: &str) -> Option<String> {
	let base = core::str::from_utf8(endpoint).ok()?.trim_end_matches('/');
	(base.starts_with("http://") || base.starts_with("https://"))
		.then(|| alloc::format!("{base}{path}"))
}

/// Signs `message` with `key` and puts the call `make_call` builds around the signature in the
/// pool as an authorized transaction; logs what failed (`what`: for the log).
pub(crate) fn sign_and_submit<T: Config>(
	key: &T::AuthorityId,
	message: &[u8],
	make_call: impl FnOnce(ProbeSignatureOf<T>) -> Call<T>,
	what: &str,
) {
	let Some(signature) = key.sign(&message) else {
		log::warn!(target: "aitbc::probes", "{what}: the probe key could not sign");
		return;
	};
	let transaction = T::create_authorized_transaction(make_call(signature).into());
	if frame_system::offchain::SubmitTransaction::<T, Call<T>>::submit_transaction(transaction)
		.is_err()
	{
		log::warn!(target: "aitbc::probes", "{what}: the report was not accepted by the pool");
	}
}

impl<T: Config> Pallet<T> {
	/// The genesis hash every signed report binds.
	pub(crate) fn genesis() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// The probe key at position `prober` of the current session's list.
	pub(crate) fn prober_key(prober: u32) -> Result<T::AuthorityId, Error<T>> {
		Probers::<T>::get().get(prober as usize).cloned().ok_or(Error::<T>::NotAProber)
	}

	/// What every signed report must be, whatever it reports: from a current prober, listing
	/// something, each item once in increasing order, signed by the prober's key over
	/// `message`. Returns the prober's key.
	pub(crate) fn check_signed<Item: Ord>(
		prober: u32,
		items: &[Item],
		message: &[u8],
		signature: &ProbeSignatureOf<T>,
	) -> Result<T::AuthorityId, Error<T>> {
		let key = Self::prober_key(prober)?;
		ensure!(!items.is_empty(), Error::<T>::EmptyReport);
		ensure!(items.windows(2).all(|pair| pair[0] < pair[1]), Error::<T>::UnsortedFindings);
		ensure!(key.verify(&message, signature), Error::<T>::BadSignature);
		Ok(key)
	}

	/// A check's error as the pool's refusal: this pallet's error index.
	pub(crate) fn refusal(error: Error<T>) -> TransactionValidityError {
		let index = error.encode().first().copied().unwrap_or(u8::MAX);
		TransactionValidityError::from(InvalidTransaction::Custom(index))
	}

	/// A report's validity in the pool: it provides `(tag, provides)` once, outranks ordinary
	/// transactions, and stays valid until block `until`.
	pub(crate) fn report_validity(
		tag: &'static str,
		provides: impl Encode,
		until: BlockNumberFor<T>,
	) -> TransactionValidityWithRefund {
		let now: u64 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let until: u64 = until.unique_saturated_into();
		let validity = ValidTransaction::with_tag_prefix(tag)
			.and_provides(provides)
			.priority(T::ReportPriority::get())
			.longevity(until.saturating_sub(now).max(1))
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}
}
