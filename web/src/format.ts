// Amounts, hashes and names as people read them. AIT has 12 decimals (the chain's properties say
// so; `decimals` comes from there).

export const DEFAULT_DECIMALS = 12;

/** `1234500000000n` → "1.2345" (no trailing zeros, digits grouped in thousands). */
export function formatAmount(value: bigint, decimals = DEFAULT_DECIMALS): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = (abs / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function formatAit(value: bigint, decimals = DEFAULT_DECIMALS, token = 'AIT'): string {
  return `${formatAmount(value, decimals)} ${token}`;
}

/** "0.001" → 1000000000n, exactly; an error that says what is wrong otherwise. */
export function parseAmount(text: string, decimals = DEFAULT_DECIMALS): bigint {
  const trimmed = text.trim().replace(/_/g, '');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!trimmed || !match || (match[1] === '' && !match[2])) {
    throw new Error(`"${text}" is not an amount: write a number such as 1.5`);
  }
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(match[1] || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** "0x1234…abcd" */
export function shortHash(hex: string, keep = 6): string {
  return hex.length <= 2 + 2 * keep ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

export function shortAddress(address: string): string {
  return address.length > 16 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

/** Milli compute units → units, as the chain counts them (5000 → "5"). */
export function formatUnits(milli: bigint | number): string {
  return formatAmount(BigInt(milli), 3);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
