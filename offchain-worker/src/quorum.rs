//! Counting reports into findings, applying the ones a quorum reached, and clearing rounds
//! that are over (artifact reports' included).

use crate::*;
use frame_support::{pallet_prelude::*, traits::Get};

/// Rounds `on_idle` looks at per block at most (each costs four prefix clears, even if empty).
const MAX_ROUNDS_CLEARED_PER_BLOCK: u32 = 8;

impl<T: Config> Pallet<T> {
	/// Records a checked report: each finding gets the prober's vote, and one that reaches
	/// the quorum with it takes effect (exactly once: at the vote that reaches it).
	pub(crate) fn record(report: ReportOf<T>, key: T::AuthorityId) {
		let Report { round, prober, findings } = report;
		Reported::<T>::insert(round, key, ());
		let quorum = Self::quorum();
		let count = findings.len() as u32;
		for finding in findings {
			let votes = Votes::<T>::mutate(round, &finding, |votes| {
				*votes = votes.saturating_add(1);
				*votes
			});
			if votes == quorum {
				match finding {
					Finding::ProviderDown(provider) => {
						T::Targets::provider_down(&provider);
						Self::deposit_event(Event::ProviderDown {
							provider,
							round,
							reporters: votes,
						});
					},
				}
			}
		}
		Self::deposit_event(Event::Reported { round, prober, findings: count });
	}

	/// Clears the entries of rounds before `current`, oldest first, within `limit`. Each map
	/// of a round is cleared in one call per block (a second call in the same block would see
	/// the same keys again), so a round too big for the block's weight finishes later.
	pub(crate) fn clear_old_rounds(current: u32, limit: Weight) -> Weight {
		let mut used = T::DbWeight::get().reads(1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let mut oldest = OldestRound::<T>::get();
		let start = oldest;
		let per_entry = T::WeightInfo::clear_round(1).saturating_sub(T::WeightInfo::clear_round(0));
		let per_round = T::WeightInfo::clear_round(0);
		let write = T::DbWeight::get().writes(1);
		for _ in 0..MAX_ROUNDS_CLEARED_PER_BLOCK {
			if oldest >= current {
				break;
			}
			let left = limit.saturating_sub(used).saturating_sub(write).saturating_sub(per_round);
			// A zero component of `per_entry` does not limit; free entries are bounded below.
			let budget = left.checked_div_per_component(&per_entry).unwrap_or(u64::MAX);
			// Weight's per-component quotient: how many entries the block still affords.
			let budget = budget.min(u32::MAX as u64) as u32;
			if budget == 0 || used.saturating_add(per_round).any_gt(limit) {
				break;
			}
			let (removed, done) = Self::clear_round_entries(oldest, budget);
			used = used
				.saturating_add(per_round)
				.saturating_add(per_entry.saturating_mul(removed as u64));
			if !done {
				break;
			}
			oldest = oldest.saturating_add(1);
		}
		if oldest != start {
			OldestRound::<T>::put(oldest);
			used = used.saturating_add(write);
		}
		used
	}

	/// Clears at most `budget` entries of `round`, map after map (a map is started only when
	/// the one before is empty). Returns how many were removed and whether the round is clear.
	fn clear_round_entries(round: u32, budget: u32) -> (u32, bool) {
		let mut removed = 0u32;
		let clears: [fn(u32, u32) -> sp_io::MultiRemovalResults; 4] = [
			|round, limit| Votes::<T>::clear_prefix(round, limit, None),
			|round, limit| Reported::<T>::clear_prefix(round, limit, None),
			|round, limit| ArtifactVotes::<T>::clear_prefix(round, limit, None),
			|round, limit| ArtifactReported::<T>::clear_prefix(round, limit, None),
		];
		for clear in clears {
			let result = clear(round, budget.saturating_sub(removed));
			removed = removed.saturating_add(result.backend);
			if result.maybe_cursor.is_some() {
				return (removed, false);
			}
		}
		(removed, true)
	}

	/// Invariants: probers within bounds; no entries of rounds before [`OldestRound`]; no
	/// finding with more votes than its round has reports; no report from a position beyond
	/// the bound.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let oldest = OldestRound::<T>::get();
		for (round, _key, ()) in Reported::<T>::iter() {
			ensure!(round >= oldest, "a report of a cleared round is stored");
		}
		for (round, _finding, votes) in Votes::<T>::iter() {
			ensure!(round >= oldest, "votes of a cleared round are stored");
			let reports = Reported::<T>::iter_prefix(round).count() as u32;
			ensure!(votes >= 1 && votes <= reports, "a finding has more votes than reports");
		}
		for (round, (block, _key), ()) in ArtifactReported::<T>::iter() {
			ensure!(round >= oldest, "an artifact report of a cleared round is stored");
			ensure!(Self::round_of(block.into()) == round, "an artifact report in another round");
		}
		for (round, (block, _job), votes) in ArtifactVotes::<T>::iter() {
			ensure!(round >= oldest, "artifact votes of a cleared round are stored");
			let reports = ArtifactReported::<T>::iter_prefix(round)
				.filter(|((reported, _), ())| *reported == block)
				.count() as u32;
			ensure!(votes >= 1 && votes <= reports, "an artifact has more votes than reports");
		}
		ensure!(oldest <= Self::current_round(), "the oldest round is in the future");
		Ok(())
	}
}
