// One in-process bus for pushes to the UI (job progress, audit appends). The desktop
// shell forwards it over IPC, the web host over Server-Sent Events.
import { EventEmitter } from 'node:events';
import type { AppEvent } from '../contract/operations';

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open browser tab or window subscribes; the default cap of 10 is too low.
    this.emitter.setMaxListeners(100);
  }

  private readonly listeners = new Set<(event: AppEvent) => unknown>();

  emit(event: AppEvent): void {
    this.emitter.emit('event', event);
    for (const listener of [...this.listeners]) listener(event);
  }

  /**
   * Emits and resolves once every subscriber has taken the event in: a subscriber whose
   * transport is full (a slow browser tab) returns a promise, so a producer that waits here
   * (the query console's row stream) reads no faster than the page receives.
   */
  async emitAndWait(event: AppEvent): Promise<void> {
    this.emitter.emit('event', event);
    const pending: Promise<unknown>[] = [];
    for (const listener of [...this.listeners]) {
      const result = listener(event);
      if (result instanceof Promise) pending.push(result);
    }
    if (pending.length > 0) await Promise.all(pending);
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Like subscribe, for a listener that may ask the producer to wait (see emitAndWait). */
  subscribeWithBackpressure(listener: (event: AppEvent) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
