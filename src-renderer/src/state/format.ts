// Times and durations, the same way on every screen.
function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time, sortable and unambiguous: 2025-11-25 03:14:07. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** 1234567 → "1,234,567": row counts read the same on every screen. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
