// Browser mode's core events, for the page: one stream for the whole page, opened once and
// kept, since a streamed query's first rows are pushed right after runQuery starts (a stream
// opened per subscriber would miss them while it connects). The stream is read by a worker
// (events.worker.ts) so decoding ~65 MB of a million-row result never runs on the page's
// main thread; the page only parses each event's JSON (rows come parsed and packed) and hands
// it to the listeners.
import { OpsError } from '@contract/errors';
import type { AppEvent } from '@contract/operations';

/** What the worker posts to the page. */
export type StreamMessage =
  | { type: 'open' }
  /** The connection dropped; the worker connects again by itself. */
  | { type: 'connecting' }
  /** The host refused the stream (e.g. 401 once the server restarted with a new token). */
  | { type: 'closed'; status: number }
  /** One event's JSON text. */
  | { type: 'event'; data: string }
  /** One event the worker parsed itself (a batch of query rows, packed by column). */
  | { type: 'event-object'; event: AppEvent };

type State = 'connecting' | 'open' | 'closed';

export interface EventStream {
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** Open now, or within a few seconds; a stream that cannot connect is an error, not a wait. */
  ready(): Promise<void>;
}

export function sharedEventStream(): EventStream {
  const listeners = new Set<(event: AppEvent) => void>();
  const waiters = new Set<() => void>();
  let worker: Worker | null = null;
  let state: State = 'closed';
  const setState = (next: State) => {
    state = next;
    for (const waiter of [...waiters]) waiter();
  };
  function ensure(): void {
    if (worker && state !== 'closed') return;
    worker?.terminate();
    state = 'connecting';
    const current = new Worker(new URL('./events.worker.ts', import.meta.url), { type: 'module', name: 'ops-console events' });
    worker = current;
    current.onmessage = (message: MessageEvent<StreamMessage>) => {
      if (worker !== current) return;
      const data = message.data;
      if (data.type === 'event' || data.type === 'event-object') {
        const event = data.type === 'event' ? (JSON.parse(data.data) as AppEvent) : data.event;
        for (const listener of [...listeners]) listener(event);
      } else {
        setState(data.type === 'closed' ? 'closed' : data.type);
      }
    };
    // The worker's script could not load or threw: as a refused stream.
    current.onerror = () => {
      if (worker === current) setState('closed');
    };
  }
  function ready(): Promise<void> {
    ensure();
    if (state === 'open') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const fail = () => {
        cleanup();
        reject(
          new OpsError(
            'CONNECTION_FAILED',
            'The page lost its connection to the app (its event stream is not open): reload the page, and check that ops-console serve is still running.',
          ),
        );
      };
      const timer = setTimeout(fail, 5_000);
      const check = () => {
        if (state === 'open') {
          cleanup();
          resolve();
        } else if (state === 'closed') fail();
      };
      function cleanup() {
        clearTimeout(timer);
        waiters.delete(check);
      }
      waiters.add(check);
    });
  }
  return {
    subscribe(listener) {
      listeners.add(listener);
      ensure();
      return () => listeners.delete(listener);
    },
    ready,
  };
}
