//! AIT amounts as people write them ("1.5") and as the chain stores them (12 decimals).

use crate::{Balance, AIT};

/// Decimals of AIT.
const DECIMALS: usize = 12;

/// Parses a decimal AIT amount ("1.5", "0.000000000001", "2") into the smallest unit.
pub fn parse_ait(text: &str) -> Result<Balance, String> {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if fraction.len() > DECIMALS {
		return Err(format!("amount '{text}': at most {DECIMALS} decimals"));
	}
	let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
	if !(digits(whole) || (whole.is_empty() && digits(fraction)))
		|| !(fraction.is_empty() || digits(fraction))
	{
		return Err(format!("amount '{text}' is not a decimal number"));
	}
	let whole: Balance = if whole.is_empty() {
		0
	} else {
		whole.parse().map_err(|_| format!("amount '{text}' is too large"))?
	};
	let fraction: Balance = if fraction.is_empty() {
		0
	} else {
		format!("{fraction:0<DECIMALS$}")
			.parse()
			.map_err(|_| format!("amount '{text}' is not a number"))?
	};
	whole
		.checked_mul(AIT)
		.and_then(|w| w.checked_add(fraction))
		.ok_or_else(|| format!("amount '{text}' is too large"))
}

/// Formats an amount in the smallest unit as AIT, without trailing zeros ("1.5 AIT").
pub fn format_ait(amount: Balance) -> String {
	let fraction = format!("{:0DECIMALS$}", amount % AIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{} AIT", amount / AIT)
	} else {
		format!("{}.{fraction} AIT", amount / AIT)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_and_format_exactly() {
		assert_eq!(parse_ait("1.5").unwrap(), 1_500_000_000_000);
		assert_eq!(parse_ait("0.000000000001").unwrap(), 1);
		assert_eq!(parse_ait(".5").unwrap(), AIT / 2);
		assert_eq!(parse_ait("2").unwrap(), 2 * AIT);
		assert!(parse_ait("0.0000000000001").is_err());
		assert!(parse_ait("abc").is_err());
		assert!(parse_ait("-1").is_err());
		assert!(parse_ait("1.-5").is_err());
		assert!(parse_ait("").is_err());
		assert!(parse_ait("999999999999999999999999999999").is_err());
		assert_eq!(format_ait(1_500_000_000_000), "1.5 AIT");
		assert_eq!(format_ait(20_000_000_000), "0.02 AIT");
		assert_eq!(format_ait(0), "0 AIT");
	}
}
