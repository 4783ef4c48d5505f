// Byte sizes for people. Three styles on purpose, each where its readers expect it; the
// output of each is part of a contract (CLI text, audit summaries, runbook thresholds).

/** 1024 steps with upper-case units and one decimal past bytes: "512 B", "1.5 MB". Audit summaries. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Always megabytes with one decimal, "0.0 MB" to "12345.6 MB": CLI progress columns stay aligned. */
export function formatMegabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function trimmed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Like PostgreSQL's pg_size_pretty (1024 steps, "bytes", "kB"), which is what a runbook's "8GB" means: "512 bytes", "1.5 MB", "8 GB". */
export function formatPgSize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${trimmed(value, 1)} ${units[unit]}`;
}
