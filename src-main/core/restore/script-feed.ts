// What psql reads on stdin when it runs a plain script: `\restrict <random key>` first, then
// the file without pg_dump's own `\restrict`/`\unrestrict` lines (meta-commands.ts), and
// never an `\unrestrict`. Restricted psql refuses every meta-command except `\unrestrict`,
// and parses that one's argument like any other, backquotes included: psql 15.18 runs
// `\unrestrict \`id > pwned.txt\`` as a shell command before it compares the key (tried
// here by hand). So the feed stops at the first `\unrestrict` psql could take as a command
// — one not preceded by an odd run of backslashes, which is how COPY data writes a literal
// backslash — and psql is killed before it reads that chunk: the transaction rolls back.
// A legitimate dump's only `\unrestrict` is pg_dump's own closing line, which is not sent;
// a string or comment holding the text `\unrestrict` is refused too (rare, and it fails
// safe).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { log } from '../platform/kernel/log';
import type { ByteRange } from './meta-commands';

export interface FedScript {
  file: string;
  /** `\restrict <key>` and its newline. */
  prelude: string;
  /** pg_dump's own `\restrict`/`\unrestrict` lines: psql would refuse the first under our key. */
  skip: ByteRange[];
}

/** Thrown inside the feed when the script holds an `\unrestrict`. */
export class UnrestrictInScript extends Error {
  constructor() {
    super('the script holds \\unrestrict');
    this.name = 'UnrestrictInScript';
  }
}

const NEEDLE = Buffer.from('\\unrestrict', 'latin1');
const BACKSLASH = 0x5c;
/** Bytes of the previous chunk kept to see a needle cut by a chunk boundary. */
const CARRY = 64;

/** Finds an `\unrestrict` psql could run, across chunk boundaries. */
export class UnrestrictGuard {
  private carry = Buffer.alloc(0);
  /** Whether `carry` is the whole stream so far (a backslash run may not go further back). */
  private carryIsStart = true;

  /** True when this chunk (with the end of the previous one) holds one. */
  check(chunk: Buffer): boolean {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    // Needles wholly inside the carry were judged with the previous chunk.
    let from = Math.max(0, this.carry.length - NEEDLE.length + 1);
    let found = false;
    for (;;) {
      const at = buf.indexOf(NEEDLE, from);
      if (at < 0) break;
      let run = 0;
      while (at - run - 1 >= 0 && buf[at - run - 1] === BACKSLASH) run += 1;
      // A run that reaches back past what we kept cannot be counted: take it as unescaped.
      const unknown = at - run === 0 && !this.carryIsStart && this.carry.length > 0;
      if (run % 2 === 0 || unknown) {
        found = true;
        break;
      }
      from = at + 1;
    }
    this.carryIsStart = this.carryIsStart && buf.length <= CARRY;
    this.carry = Buffer.from(buf.subarray(Math.max(0, buf.length - CARRY)));
    return found;
  }
}

/** The bytes psql reads: the prelude, then the file without the skipped ranges. */
async function* scriptBytes(script: FedScript, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  yield Buffer.from(script.prelude, 'utf8');
  let at = 0;
  const keep: Array<{ start: number; end?: number }> = [];
  for (const r of [...script.skip].sort((a, b) => a.start - b.start)) {
    if (r.start > at) keep.push({ start: at, end: r.start });
    onBytes(r.end - r.start);
    at = Math.max(at, r.end);
  }
  keep.push({ start: at });
  const guard = new UnrestrictGuard();
  for (const range of keep) {
    if (range.end !== undefined && range.end <= range.start) continue;
    // createReadStream's `end` is inclusive; the last range runs to the end of the file.
    const stream = fs.createReadStream(script.file, {
      start: range.start,
      ...(range.end !== undefined ? { end: range.end - 1 } : {}),
      highWaterMark: 256 * 1024,
    });
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (guard.check(buf)) throw new UnrestrictInScript();
      onBytes(buf.length);
      yield buf;
    }
  }
}

export interface FeedHooks {
  onBytes(n: number): void;
  /** The script held an `\unrestrict`: psql is being stopped. */
  onRefused(): void;
  /** Kills psql (before its stdin closes: at EOF it would COMMIT what it read). */
  abortTool(): void;
}

/**
 * Streams the script into psql; psql stopping early (ON_ERROR_STOP) closes the pipe, which
 * is expected. A read error or a refusal kills psql rather than ending its input: psql
 * would COMMIT the single transaction at the end of a cut script.
 */
export function feedScript(script: FedScript, stdin: NodeJS.WritableStream, hooks: FeedHooks): void {
  const source = Readable.from(scriptBytes(script, hooks.onBytes));
  source.on('error', (err: Error) => {
    if (err instanceof UnrestrictInScript) hooks.onRefused();
    else log.warn(`could not read ${script.file}`, err.message);
    hooks.abortTool();
  });
  stdin.on('error', () => source.destroy());
  source.pipe(stdin);
}
