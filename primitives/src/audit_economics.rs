//! What cheating is worth to a provider under audits: the expected value of serving a fraction
//! of its receipts without computing them, against serving every one honestly.
//!
//! Amounts are in units of one receipt's pay (`units × price`). A provider approved for a
//! `horizon` of receipts makes a `margin` on each one it computes. Each receipt is audited with
//! probability `audit_rate`, and an audit of a substituted image catches it with probability
//! `detection` (measured by `aitbc-worker`'s `audit_tolerance` benchmark). Cheating on a receipt
//! saves its whole compute cost (`1 − margin`). A caught receipt mints nothing, costs `slash`
//! (the bonded stake × `AuditFailSlash`, in receipts' pay) and ends the approval, so the
//! provider serves nothing more. Receipts are independent: the strategy "cheat on a fraction
//! `f`" cheats on each receipt with probability `f`.
//!
//! With `q = f × audit_rate × detection`, receipt `k` is served while no earlier one was caught
//! (probability `(1 − q)^k`) and earns, in expectation,
//! `g = (1 − f) × margin + f × (1 − audit_rate × detection) − q × slash`; the strategy is worth
//! `g × (1 − (1 − q)^horizon) / q`, and honesty `horizon × margin`.
//!
//! Std only: floating point belongs in tests and benchmarks, never in runtime code.

/// The parameters of the model; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheatingModel {
	/// Share of receipts audited (the runtime's `AuditRate`), 0 to 1.
	pub audit_rate: f64,
	/// Probability that an audit catches a substituted image, 0 to 1.
	pub detection: f64,
	/// The provider's profit on a computed receipt, as a share of its pay, 0 to 1.
	pub margin: f64,
	/// What a failed audit slashes, in receipts' pay.
	pub slash: f64,
	/// Receipts the provider expects to serve while approved.
	pub horizon: u32,
}

impl CheatingModel {
	/// Expected total over the horizon of cheating on a fraction `f` of receipts.
	pub fn value_of(&self, f: f64) -> f64 {
		let caught = self.audit_rate * self.detection;
		let q = f * caught;
		let per_receipt = (1.0 - f) * self.margin + f * (1.0 - caught) - q * self.slash;
		if q <= 0.0 {
			return per_receipt * f64::from(self.horizon);
		}
		let mut survive = 1.0;
		for _ in 0..self.horizon {
			survive *= 1.0 - q;
		}
		per_receipt * (1.0 - survive) / q
	}

	/// What cheating on a fraction `f` gains over honesty (negative: cheating loses).
	pub fn gain_of_cheating(&self, f: f64) -> f64 {
		self.value_of(f) - self.value_of(0.0)
	}

	/// The largest gain over `f` in 0.001, 0.002, …, 1 and the fraction that reaches it.
	pub fn best_cheating(&self) -> (f64, f64) {
		(1..=1000)
			.map(|i| {
				let f = f64::from(i) / 1000.0;
				(f, self.gain_of_cheating(f))
			})
			.fold((0.0, f64::NEG_INFINITY), |best, next| if next.1 > best.1 { next } else { best })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn model(audit_rate: f64, margin: f64, horizon: u32) -> CheatingModel {
		CheatingModel { audit_rate, detection: 1.0, margin, slash: 0.0, horizon }
	}

	#[test]
	fn without_audits_cheating_always_pays() {
		let m = model(0.0, 0.2, 1000);
		// Every cheated receipt keeps its pay and saves its cost: 0.8 per receipt.
		assert!((m.gain_of_cheating(1.0) - 800.0).abs() < 1e-9);
		assert!(m.best_cheating().1 > 0.0);
	}

	#[test]
	fn auditing_everything_makes_every_fraction_lose() {
		let m = model(1.0, 0.2, 1000);
		// Cheating once is caught at once: the cheater has nothing, the honest 200.
		assert!((m.gain_of_cheating(1.0) + 200.0).abs() < 1e-9);
		assert!(m.best_cheating().1 < 0.0);
	}

	#[test]
	fn the_value_matches_a_direct_sum() {
		let m =
			CheatingModel { audit_rate: 0.1, detection: 0.9, margin: 0.3, slash: 2.0, horizon: 7 };
		let f = 0.4;
		let (caught, q) = (0.1 * 0.9, 0.4 * 0.1 * 0.9);
		let per_receipt = (1.0 - f) * 0.3 + f * (1.0 - caught) - q * 2.0;
		let direct: f64 = (0..7).map(|k| (1.0f64 - q).powi(k) * per_receipt).sum();
		assert!((m.value_of(f) - direct).abs() < 1e-12);
	}

	#[test]
	fn a_bond_or_a_longer_horizon_turns_cheating_into_a_loss() {
		// Thin margins and a short career: cheating pays ...
		let short = model(0.1, 0.05, 50);
		assert!(short.best_cheating().1 > 0.0);
		// ... unless the approval is worth keeping, or a slash covers it.
		assert!(model(0.1, 0.05, 5_000).best_cheating().1 < 0.0);
		assert!(CheatingModel { slash: 10.0, ..short }.best_cheating().1 < 0.0);
	}
}
