// Progress events are pushed at least once a second by a ticker, and in between whenever a
// tool reports an item; items can come thousands a second (a schema with many small
// tables), so those are let through at most once per gap.
export const MIN_EVENT_GAP_MS = 200;

export class EventGate {
  private last = 0;

  constructor(private readonly minGapMs = MIN_EVENT_GAP_MS) {}

  /** True, and the time noted, when the gap since the last event passed (or `force`). */
  pass(force = false): boolean {
    const now = Date.now();
    if (!force && now - this.last < this.minGapMs) return false;
    this.last = now;
    return true;
  }
}
