// When browser mode opens its core (issue #21, cold start). Loading the core's modules (the
// drivers, the S3 SDK, the SQL parser, every domain) takes a few hundred milliseconds of this
// one thread, and no request is answered meanwhile. So `serve` listens first, sends the page
// (HTML, scripts, styles) and loads the core while the browser parses them: the two overlap
// instead of queueing. The core opens at the first of:
// - an API call or the event stream (the page needs it now);
// - a quiet spell after a static file went out (a browser asks for a page's files within a
//   few milliseconds of each other, then parses them);
// - a fallback delay after listening (no browser yet: have the core ready, and a store that
//   cannot open reported, soon anyway).
import type { ServerResponse } from 'node:http';
import type { Core } from '../core/app';

/** No static request for this long after the last one ended: the page's files are out. */
export const STATIC_QUIET_MS = 50;
/** Open the core this long after listening even if no page was asked for. */
export const OPEN_FALLBACK_MS = 1_500;

export class CoreOpener {
  /** The core once open; rejected when it cannot open (whoever started the host reports that). */
  readonly ready: Promise<Core>;
  private start: () => void = () => undefined;
  private inFlight = 0;
  private quiet: NodeJS.Timeout | null = null;
  private fallback: NodeJS.Timeout | null = null;

  constructor(core: Core | (() => Promise<Core>)) {
    if (typeof core !== 'function') {
      this.ready = Promise.resolve(core);
      return;
    }
    let started = false;
    this.ready = new Promise<Core>((resolve, reject) => {
      this.start = () => {
        if (started) return;
        started = true;
        this.clearTimers();
        core().then(resolve, reject);
      };
    });
    // Requests then answer INTERNAL; the unhandled rejection would end the process first.
    this.ready.catch(() => undefined);
  }

  /** The core, opening it now if it is not yet. */
  now(): Promise<Core> {
    this.start();
    return this.ready;
  }

  listening(): void {
    this.fallback = setTimeout(() => this.start(), OPEN_FALLBACK_MS);
  }

  /** A static file is being sent: wait until it and its siblings are out before loading the core. */
  staticResponse(res: ServerResponse): void {
    this.inFlight++;
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
    res.once('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) this.quiet = setTimeout(() => this.start(), STATIC_QUIET_MS);
    });
  }

  dispose(): void {
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.quiet) clearTimeout(this.quiet);
    if (this.fallback) clearTimeout(this.fallback);
    this.quiet = this.fallback = null;
  }
}
