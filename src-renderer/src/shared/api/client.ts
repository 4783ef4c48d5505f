// The renderer's typed client. One function per operation in the contract, whichever
// transport carries it: the preload bridge in the desktop app, HTTP + Server-Sent Events
// against the loopback host in browser mode (the events read by a worker: event-stream.ts). Screens import `api` and nothing else.
import { isApiError, OpsError, type Envelope } from '@contract/errors';
import { OP_NAMES, type ApiClient, type AppEvent, type BridgeApi, type OpName } from '@contract/operations';
import { noteOutcome } from './connection-state';
import { sharedEventStream } from './event-stream';

declare global {
  interface Window {
    /** Present only in the desktop app (set by src-preload). */
    opsBridge?: BridgeApi;
  }
}

function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new OpsError(envelope.error.code, envelope.error.message, envelope.error.detail);
}

// Browser mode: the page was opened through `?token=…`, which the host traded for an
// HttpOnly SameSite cookie; fetch (the page's and the event-stream worker's) sends it on its
// own, so no script here ever holds the token.
function httpClient(): ApiClient {
  const call = async (name: OpName, input: unknown): Promise<unknown> => {
    const response = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
    const body: unknown = await response.json().catch(() => null);
    if (body && typeof body === 'object' && 'ok' in body) return unwrap(body as Envelope<unknown>);
    if (isApiError(body)) throw new OpsError(body.code, body.message);
    throw new OpsError('INTERNAL', `The local server answered ${response.status} ${response.statusText}`);
  };
  const client: Record<string, unknown> = {};
  for (const name of OP_NAMES) client[name] = (input: unknown) => call(name, input);
  const events = sharedEventStream();
  client.onEvent = events.subscribe;
  client.eventsReady = events.ready;
  return client as ApiClient;
}

function desktopClient(bridge: BridgeApi): ApiClient {
  const client: Record<string, unknown> = {};
  for (const name of OP_NAMES) {
    const fn = bridge[name] as (input: unknown) => Promise<Envelope<unknown>>;
    client[name] = async (input: unknown) => unwrap(await fn(input ?? {}));
  }
  client.onEvent = (listener: (event: AppEvent) => void) => bridge.onEvent(listener);
  // IPC pushes are wired before the page loads: nothing to wait for.
  client.eventsReady = () => Promise.resolve();
  return client as ApiClient;
}

/**
 * Every call's outcome goes to the connection state (connection-state.ts): done here, once,
 * so the header knows a server is down whichever screen's call found out.
 */
function withConnectionState(client: ApiClient): ApiClient {
  const wrapped: Record<string, unknown> = { ...client };
  for (const name of OP_NAMES) {
    const fn = client[name] as (input: unknown) => Promise<unknown>;
    wrapped[name] = async (input: unknown) => {
      try {
        const value = await fn(input);
        noteOutcome(name, input, { ok: true });
        return value;
      } catch (err) {
        if (err instanceof OpsError) noteOutcome(name, input, { ok: false, code: err.code, message: err.message });
        throw err;
      }
    };
  }
  return wrapped as unknown as ApiClient;
}

export const api: ApiClient = withConnectionState(window.opsBridge ? desktopClient(window.opsBridge) : httpClient());
export const transport: 'desktop' | 'browser' = window.opsBridge ? 'desktop' : 'browser';
export { OpsError };
