//! AIT amounts as people write them ("1.5") and as the chain stores them (12 decimals).

use crate::Balance;

/// Decimals of AIT.
const DECIMALS: u8 = 12;

/// Parses a decimal AIT amount ("1.5", "0.000000000001", "2") into the smallest unit.
pub fn parse_ait(text: &str) -> Result<Balance, String> {
	parse_units(text, DECIMALS)
}

/// Formats an amount in the smallest unit as AIT, without trailing zeros ("1.5 AIT").
pub fn format_ait(amount: Balance) -> String {
	format!("{} AIT", format_units(amount, DECIMALS))
}

/// Parses a decimal amount of a token with `decimals` decimals ("1.5") into its smallest unit.
pub fn parse_units(text: &str, decimals: u8) -> Result<Balance, String> {
	let places = decimals as usize;
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if fraction.len() > places {
		return Err(format!("amount '{text}': at most {decimals} decimals"));
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
		format!("{fraction:0<places$}")
			.parse()
			.map_err(|_| format!("amount '{text}' is not a number"))?
	};
	10u128
		.checked_pow(decimals.into())
		.and_then(|one| whole.checked_mul(one))
		.and_then(|w| w.checked_add(fraction))
		.ok_or_else(|| format!("amount '{text}' is too large"))
}

/// Formats an amount in the smallest unit of a token with `decimals` decimals, without
/// trailing zeros ("1.5").
pub fn format_units(amount: Balance, decimals: u8) -> String {
	let places = decimals as usize;
	let one = 10u128.saturating_pow(decimals.into());
	let fraction = format!("{:0places$}", amount % one);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{}", amount / one)
	} else {
		format!("{}.{fraction}", amount / one)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::AIT;

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
		assert_eq!(parse_units("1.25", 6).unwrap(), 1_250_000);
		assert_eq!(parse_units("7", 0).unwrap(), 7);
		assert!(parse_units("0.5", 0).is_err());
		assert_eq!(format_units(1_250_000, 6), "1.25");
		assert_eq!(format_units(3, 0), "3");
	}
}
