// When browser mode opens its core (issue #21, cold start). Loading the core's modules (the
// drivers, the S3 SDK, the SQL parser, every domain) takes a few hundred milliseconds of this
// one thread, and no request is answered meanwhile. So `serve` listens first, sends the page
// (HTML, scripts, styles) and loads the core while the browser parses them: the two overlap
// instead of queueing. The core opens at the first of:
// - an API call or the event stream (the page needs it now);
// - the page's start-up files (the scripts and stylesheet index.html names) all went out: the
//   browser now parses them, and the core's own start (store, migrations: a few tens of ms of
//   this thread) no longer holds any of them up;
// - a quiet spell after a static file went out, once none of those files is still expected
//   (a browser asks for a page's files within a few milliseconds of each other); while some
//   are, a longer one (the browser may have them cached) — under load a browser took 60-110 ms
//   between the HTML and its first script request, past the short spell;
// - a fallback delay after listening (no browser yet: have the core ready, and a store that
//   cannot open reported, soon anyway).
import type { ServerResponse } from 'node:http';
import type { Core } from '../core/app';

/** No static request for this long after the last one ended: the page's files are out. */
export const STATIC_QUIET_MS = 50;
/** The same while a start-up file named by index.html has not been asked for yet. */
export const STARTUP_FILES_WAIT_MS = 500;
/** Open the core this long after listening even if no page was asked for. */
export const OPEN_FALLBACK_MS = 1_500;

export class CoreOpener {
  /** The core once open; rejected when it cannot open (whoever started the host reports that). */
  readonly ready: Promise<Core>;
  private start: () => void = () => undefined;
  private inFlight = 0;
  private readonly startupFiles = new Set<string>();
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

  /** The page's start-up files (URL paths, e.g. /assets/index-x.js): the core waits until they went out. */
  expectStartupFiles(paths: Iterable<string>): void {
    for (const p of paths) this.startupFiles.add(p);
  }

  /** A static file is being sent: wait until it and its siblings are out before loading the core. */
  staticResponse(res: ServerResponse, pathname: string): void {
    this.inFlight++;
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
    res.once('close', () => {
      this.inFlight--;
      const wasStartupFile = this.startupFiles.delete(pathname);
      if (this.inFlight > 0) return;
      if (wasStartupFile && this.startupFiles.size === 0) return this.start();
      this.quiet = setTimeout(() => this.start(), this.startupFiles.size > 0 ? STARTUP_FILES_WAIT_MS : STATIC_QUIET_MS);
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
