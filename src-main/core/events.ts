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

  emit(event: AppEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
