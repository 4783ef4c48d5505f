// The renderer's typed client. One function per operation in the contract, whichever
// transport carries it: the preload bridge in the desktop app, HTTP + Server-Sent Events
// against the loopback host in browser mode (the events read by a worker: event-stream.ts). Screens import `api` and nothing else.
import { isApiError, OpsError, type Envelope } from '@contract/errors';
import type { ApiClient, AppEvent, BridgeApi, OpName } from '@contract/operations';
import { noteOutcome } from './connection-state';
import { sharedEventStream } from './event-stream';

declare global {
  interface Window {
    /** Present only in the desktop app (set by src-preload). */
    opsBridge?: BridgeApi;
  }
}

type Call = (input: unknown) => Promise<unknown>;
type Pushes = Pick<ApiClient, 'onEvent' | 'eventsReady'>;

/**
 * A client whose function for an operation is made on first use, from the name the caller
 * typed (ApiClient checks it at compile time). So the renderer's startup holds no list of the
 * operations: that list lives in the contract's operation table, whose zod schemas are
 * ~120 KB the first screen does not need (issue #21, cold start). A name that is not an
 * operation answers NOT_FOUND from the core, as the HTTP route does. `then` stays undefined,
 * so the client is never mistaken for a promise.
 */
function perOperation(make: (name: OpName) => Call, pushes: Pushes): ApiClient {
  const made = new Map<string, Call>();
  return new Proxy(pushes, {
    get(target, key) {
      if (key === 'onEvent' || key === 'eventsReady') return target[key];
      if (typeof key !== 'string' || key === 'then') return undefined;
      let fn = made.get(key);
      if (!fn) made.set(key, (fn = make(key as OpName)));
      return fn;
    },
  }) as ApiClient;
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
  const events = sharedEventStream();
  return perOperation((name) => (input) => call(name, input), { onEvent: events.subscribe, eventsReady: events.ready });
}

function desktopClient(bridge: BridgeApi): ApiClient {
  return perOperation(
    (name) => {
      const fn = bridge[name] as (input: unknown) => Promise<Envelope<unknown>>;
      return async (input) => unwrap(await fn(input ?? {}));
    },
    {
      onEvent: (listener: (event: AppEvent) => void) => bridge.onEvent(listener),
      // IPC pushes are wired before the page loads: nothing to wait for.
      eventsReady: () => Promise.resolve(),
    },
  );
}

/**
 * Every call's outcome goes to the connection state (connection-state.ts): done here, once,
 * so the header knows a server is down whichever screen's call found out.
 */
function withConnectionState(client: ApiClient): ApiClient {
  return perOperation(
    (name) => {
      const fn = client[name] as (input: unknown) => Promise<unknown>;
      return async (input) => {
        try {
          const value = await fn(input);
          noteOutcome(name, input, { ok: true });
          return value;
        } catch (err) {
          if (err instanceof OpsError) noteOutcome(name, input, { ok: false, code: err.code, message: err.message });
          throw err;
        }
      };
    },
    { onEvent: client.onEvent, eventsReady: client.eventsReady },
  );
}

export const api: ApiClient = withConnectionState(window.opsBridge ? desktopClient(window.opsBridge) : httpClient());
export const transport: 'desktop' | 'browser' = window.opsBridge ? 'desktop' : 'browser';
export { OpsError };
