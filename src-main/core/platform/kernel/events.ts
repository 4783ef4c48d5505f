// One in-process bus for pushes to the UI (job progress, audit appends, streamed rows). The
// desktop shell forwards it over IPC, the web host over Server-Sent Events.
import type { AppEvent } from '../../../contract/operations';

/** A subscriber may return a promise while its transport is full (see emitAndWait); other results are ignored. */
export type EventListener = (event: AppEvent) => unknown;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit(event: AppEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /**
   * Emits and resolves once every subscriber has taken the event in: a subscriber whose
   * transport is full (a slow browser tab) returns a promise, so a producer that waits here
   * (the query console's row stream) reads no faster than the page receives.
   */
  async emitAndWait(event: AppEvent): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const listener of [...this.listeners]) {
      const result = listener(event);
      if (result instanceof Promise) pending.push(result);
    }
    if (pending.length > 0) await Promise.all(pending);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
