// Browser mode's event stream, read off the page's main thread (issue #21). EventSource
// decodes and frames its text on the main thread: a million-row query is ~65 MB of it, and
// the page spent ~2.2 s of main-thread time there, in tasks of 100-200 ms that froze the
// editor. This worker fetches /events itself (same origin: the page's HttpOnly session
// cookie goes with it, no script holds the token), decodes with TextDecoder, frames with
// SseParser, and posts each event's JSON text to the page: one string copy per event, parsed
// there (JSON.parse of a 8,000-row batch is a couple of ms). A batch of query rows is parsed
// here instead and posted packed by column (contract/packed-rows.ts): the page gets a few
// strings and typed arrays per batch, nothing to parse and no row arrays for its GC to mark
// (the grid keeps them packed). Like EventSource it reconnects after a network error, and
// gives up on an HTTP refusal (the page then opens a new one).
import { packRows } from '@contract/packed-rows';
import type { AppEvent } from '@contract/operations';
import { SseParser } from './sse-parser';
import type { StreamMessage } from './event-stream';

/** The worker's global scope, as far as used here (the renderer's lib is DOM, not WebWorker). */
interface WorkerScope {
  postMessage(message: StreamMessage, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** EventSource's reconnection delay is a few seconds; the page's own host is local, so 1 s. */
const RETRY_MS = 1_000;

async function connect(): Promise<void> {
  let response: Response;
  try {
    response = await fetch('/events', { headers: { accept: 'text/event-stream' }, cache: 'no-store' });
  } catch {
    return retry();
  }
  if (!response.ok || !response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    scope.postMessage({ type: 'closed', status: response.status });
    return;
  }
  scope.postMessage({ type: 'open' });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const data of parser.push(decoder.decode(value, { stream: true }))) post(data);
    }
  } catch {
    // The connection dropped mid-stream: as EventSource, try again.
  }
  retry();
}

/** How the host's JSON of a rows event begins (server.ts writes JSON.stringify of the event, type first). */
const ROWS_EVENT = '{"type":"query.rows"';

function post(data: string): void {
  if (!data.startsWith(ROWS_EVENT)) return scope.postMessage({ type: 'event', data });
  const event = JSON.parse(data) as Extract<AppEvent, { type: 'query.rows' }>;
  if (event.rows.length === 0) return scope.postMessage({ type: 'event', data });
  const packed = packRows(event.rows);
  scope.postMessage({ type: 'event-object', event: { ...event, rows: [], packed } }, [packed.ends.buffer, packed.kinds.buffer]);
}

function retry(): void {
  scope.postMessage({ type: 'connecting' });
  setTimeout(() => void connect(), RETRY_MS);
}

void connect();
