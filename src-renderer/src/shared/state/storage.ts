// localStorage access that never throws (private windows and locked-down profiles refuse it).
const PREFIX = 'ops-console.';

export function readSetting(key: string): string | null {
  try {
    return window.localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, value);
  } catch {
    // Remembering is a convenience; losing it must not break the screen.
  }
}
