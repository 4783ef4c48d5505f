// Terminal I/O for the CLI: JSON or human output, the failure line, and prompts that
// only ever happen on a real terminal (cron and CI get a refusal, never a hang).
import readline from 'node:readline';
import { OpsError, type ApiError, type Envelope } from '../contract/errors';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface Io {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  isTerminal: boolean;
}

export function processIo(json: boolean): Io {
  return {
    json,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  };
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** The contract's failure shape: `error: …` on stderr, and with --json the envelope on stdout. */
export function reportFailure(io: Io, error: ApiError): number {
  io.err(`error: ${error.message}`);
  if (io.json) printJson(io, { ok: false, error: { code: error.code, message: error.message } });
  return EXIT.failure;
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new OpsError(envelope.error.code, envelope.error.message, envelope.error.detail);
}

export function table(rows: Array<Record<string, string | number | boolean | null | undefined>>, columns: string[]): string {
  if (rows.length === 0) return '';
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' '));
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

export function ask(question: string, hidden: boolean): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (hidden) {
      // Echo nothing while the password is typed.
      const output = rl as unknown as { _writeToOutput?: (s: string) => void };
      output._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(s);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** A hidden prompt for any secret; null without a terminal (scripts never hang). */
export function promptSecret(io: Io, question: string): Promise<string | null> {
  if (!io.isTerminal) return Promise.resolve(null);
  return ask(question, true);
}

export function promptPassword(io: Io, label: string): Promise<string | null> {
  return promptSecret(io, `Password for ${label}: `);
}

/**
 * Confirmation before changing anything. `--yes` answers it; production needs
 * `--confirm NAME` with it; without a terminal and without --yes it refuses.
 */
export async function confirm(io: Io, opts: { question: string; yes: boolean; production: boolean; profileName: string; confirmFlag?: string }): Promise<void> {
  if (opts.yes) {
    if (opts.production && opts.confirmFlag !== opts.profileName) {
      throw new OpsError('CONFIRMATION_REQUIRED', `"${opts.profileName}" is a production profile: --yes must come with --confirm ${opts.profileName}`);
    }
    return;
  }
  if (!io.isTerminal) {
    throw new OpsError('CONFIRMATION_REQUIRED', 'Refusing without a terminal: pass --yes to confirm');
  }
  if (opts.production) {
    const typed = await ask(`${opts.question}\nThis is PRODUCTION. Type the profile name (${opts.profileName}) to confirm: `, false);
    if (typed.trim() !== opts.profileName) throw new OpsError('CONFIRMATION_REQUIRED', 'Not confirmed: the name did not match');
    return;
  }
  const answer = await ask(`${opts.question} [y/N] `, false);
  if (!/^y(es)?$/i.test(answer.trim())) throw new OpsError('CONFIRMATION_REQUIRED', 'Not confirmed');
}
