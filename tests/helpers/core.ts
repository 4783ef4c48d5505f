// A core on a fresh home (in-memory secrets, browser mode), and the three ways tests call
// it: the raw envelope, a value that must come back, an error that must come back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiError, Envelope } from '../../src-main/contract/errors';
import type { CliContext } from '../../src-main/cli/context';
import { unwrap } from '../../src-main/cli/io';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

export function newTestCore(prefix: string, extra: Partial<CoreOptions> = {}): { core: Core; home: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // strictErrors: an error code the operation does not declare fails the test (dispatch.ts).
  return { core: createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester', strictErrors: true, ...extra }), home };
}

export interface CoreCalls {
  call<T>(name: string, input: unknown): Promise<Envelope<T>>;
  ok<T>(name: string, input: unknown): Promise<T>;
  fail(name: string, input: unknown): Promise<ApiError>;
}

/** Calls through `dispatch`, as every transport does; `core` is read at each call (set in beforeAll). */
export function callsOn(core: () => Core): CoreCalls {
  async function call<T>(name: string, input: unknown): Promise<Envelope<T>> {
    return (await core().dispatch(name, input, { actor: 'tester', via: 'test' })) as Envelope<T>;
  }
  return {
    call,
    async ok<T>(name: string, input: unknown): Promise<T> {
      const env = await call<T>(name, input);
      if (!env.ok) throw new Error(`${name} failed: ${env.error.code} ${env.error.message}`);
      return env.value;
    },
    async fail(name: string, input: unknown): Promise<ApiError> {
      const env = await call(name, input);
      if (env.ok) throw new Error(`${name} unexpectedly succeeded`);
      return env.error;
    },
  };
}

/**
 * A CLI context on an in-process core (no build, no child process): the command's output
 * lines land in `out` and `err`. `--json` is on and there is no terminal, as in CI.
 */
export function inProcessCli(core: () => Core, home: () => string): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    home: home(),
    io: { json: true, out: (t) => out.push(t), err: (t) => err.push(t), isTerminal: false },
    core,
    async call(name, input) {
      return unwrap(await core().dispatch(name, input, { actor: 'tester', via: 'cli' })) as never;
    },
    close: () => Promise.resolve(),
  };
  return { ctx, out, err };
}
