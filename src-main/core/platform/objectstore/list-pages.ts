// ListObjectsV2 pages one after the other, and read ahead: with `readAhead` the next page is
// asked for by its continuation token as soon as the page before showed it in its raw XML,
// before the SDK has parsed that page (13–26 ms for 1,000 keys on the storage bench's machine,
// during which the store sat idle; the incremental snapshot is mostly its listing). Only the
// page the loop is waiting for triggers this, so a listing stays at most one page ahead of
// its caller; the parsed token must read the same, else the next page is asked for with it.
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { OpsError } from '../../../contract/errors';

type S3Sdk = typeof import('@aws-sdk/client-s3');
/** A middleware of a ListObjectsV2 command (the SDK's type, reached through the command). */
export type ListMiddleware = Parameters<InstanceType<S3Sdk['ListObjectsV2Command']>['middlewareStack']['add']>[0];

/** Innermost of the deserialize step: what the HTTP handler returned, before any parse. */
export const PEEK_OPTIONS = { step: 'deserialize', priority: 'low', name: 'opsPeekNextToken' } as const;

/** XML text of a continuation token, unescaped (S3's are base64; the five entities and character references cover any other). */
export function nextTokenIn(body: Uint8Array): string | null {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const open = '<NextContinuationToken>';
  const at = buffer.indexOf(open);
  if (at < 0) return null;
  const end = buffer.indexOf('</NextContinuationToken>', at);
  if (end < 0) return null;
  // XML's end-of-line handling, as the SDK's parser does it: CR LF and a lone CR read as LF.
  const raw = buffer.toString('utf8', at + open.length, end).replace(/\r\n?/g, '\n');
  // Plain text and well-formed references only (CDATA, markup or a stray & are left to the SDK's parse).
  if (raw === '' || !/^(?:[^&<]|&(?:#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);)*$/.test(raw)) return null;
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  let bad = false;
  const text = raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_, ref: string) => {
    if (!ref.startsWith('#')) return named[ref]!;
    const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) bad = true;
    return bad ? '' : String.fromCodePoint(code);
  });
  return bad ? null : text;
}

/**
 * Reads the raw body of a successful answer (the SDK would read it all the same, and takes it
 * from here as bytes) and hands its continuation token to `found` before the SDK parses it.
 */
export function peekNextToken(found: (token: string) => void): ListMiddleware {
  return (next) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; body?: unknown };
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300 || response.body == null || response.body instanceof Uint8Array) return result;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    response.body = bytes;
    const token = nextTokenIn(bytes);
    if (token !== null) found(token);
    return result;
  };
}

/** How a paged listing is named in its refusal: an object listing, or the unfinished uploads'. */
export interface ListingWords {
  listing: string;
  items: string;
  token: string;
  sameToken: string;
}

const OBJECT_LISTING: ListingWords = { listing: 'listing', items: 'keys', token: 'token', sameToken: 'continuation token' };

/**
 * The token (or marker) a paged listing goes on with, or undefined at its end. A listing that
 * cannot be followed to its end is refused, never taken for the whole: a page that says more
 * follow but gives nothing to ask for them with (a snapshot would miss every key after the
 * cut and still look complete), or a token `followed` already holds (the same page for ever).
 */
export function followOn(
  followed: Set<string>,
  truncated: boolean | undefined,
  next: string | undefined,
  target: { endpoint: string; bucket: string },
  words: ListingWords = OBJECT_LISTING,
): string | undefined {
  const refuse = (what: string) =>
    new OpsError(
      'STORAGE_FAILED',
      `The ${words.listing} of bucket ${target.bucket} at ${target.endpoint} ${what}: it cannot be read to its end, and a partial listing is never taken for the whole bucket.`,
      { reason: 'other', endpoint: target.endpoint, bucket: target.bucket },
    );
  if (truncated !== true) return undefined;
  if (!next) throw refuse(`says more ${words.items} follow but gives no ${words.token} to ask for them`);
  if (followed.has(next)) throw refuse(`gave the same ${words.sameToken} twice`);
  followed.add(next);
  return next;
}

/**
 * The pages of one listing, in order. `request` sends one (its failure worded by the caller),
 * aborted by `signal`; `peek`, when given, is to be added to its command (PEEK_OPTIONS). With
 * `readAhead` the next page is asked for before this one is handed out. A request still on its
 * way when the caller stops is aborted (its failure is nobody's to report).
 */
export async function* listPages(
  request: (token: string | undefined, signal: AbortSignal, peek: ListMiddleware | null) => Promise<ListObjectsV2CommandOutput>,
  readAhead: boolean,
  signal: AbortSignal | undefined,
  target: { endpoint: string; bucket: string },
): AsyncGenerator<ListObjectsV2CommandOutput> {
  /** Tokens already followed: a store that hands one out twice would list the same keys for ever. */
  const followed = new Set<string>();
  const requests = new AbortController();
  const stop = () => requests.abort();
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  /** Pages asked for early by a peeked token, each with its own abort (an unconfirmed one is stopped). */
  const ahead = new Map<string, { page: Promise<ListObjectsV2CommandOutput>; abort: () => void }>();
  let waitingFor: Promise<ListObjectsV2CommandOutput> | null = null;
  const ask = (token: string | undefined): { page: Promise<ListObjectsV2CommandOutput>; abort: () => void } => {
    const own = new AbortController();
    const abort = () => own.abort();
    // A listener added to a signal already aborted never fires: a request asked for after the
    // caller stopped (or cancelled before the first page) starts aborted instead.
    if (requests.signal.aborted) abort();
    else requests.signal.addEventListener('abort', abort, { once: true });
    const peek = readAhead
      ? peekNextToken((found) => {
          if (waitingFor === page && !ahead.has(found) && !requests.signal.aborted) ahead.set(found, ask(found));
        })
      : null;
    const page = request(token, own.signal, peek);
    // Awaited when its turn comes; handled now, so a failure meanwhile (or of a page never read) is not reported as unhandled.
    page.catch(() => undefined).finally(() => requests.signal.removeEventListener('abort', abort));
    return { page, abort };
  };
  let next: Promise<ListObjectsV2CommandOutput> | null = ask(undefined).page;
  try {
    while (next !== null) {
      waitingFor = next;
      const page: ListObjectsV2CommandOutput = await next;
      waitingFor = null;
      const token = followOn(followed, page.IsTruncated, page.NextContinuationToken, target);
      // The page asked for early when its token read the same parsed, else asked for now; one
      // asked for under a token the parse did not confirm is stopped rather than left to run.
      const early = token !== undefined && readAhead ? ahead.get(token) : undefined;
      for (const other of ahead.values()) if (other !== early) other.abort();
      ahead.clear();
      next = early?.page ?? (token !== undefined && readAhead ? ask(token).page : null);
      yield page;
      if (token !== undefined && !readAhead) next = ask(token).page;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    // Whatever is still on its way: the page asked for ahead of a caller that stopped, or one
    // asked for early under a token the parsed page did not confirm.
    requests.abort();
  }
}
