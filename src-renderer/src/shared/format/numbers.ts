// Counts and sizes, the same way on every screen.

/**
 * 1234567 → "1,234,567": row counts read the same on every screen. An int8 given as its
 * decimal text (or a bigint) is grouped exactly: 9223372036854775807 stays that number,
 * where a float would show 9,223,372,036,854,776,000.
 */
export function formatCount(n: number | bigint | string): string {
  if (typeof n === 'string') return /^-?\d+$/.test(n.trim()) ? BigInt(n.trim()).toLocaleString('en-US') : n;
  return n.toLocaleString('en-US');
}

const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** Sizes as pg_size_pretty shows them (1024-based), so they match what psql says. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
