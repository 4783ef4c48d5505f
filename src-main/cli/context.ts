// What every command gets: the core (opened lazily, so `--help` and usage errors never
// touch the store), the terminal, and a typed way to call an operation.
import type { OpInput, OpName, OpResult } from '../contract/operations';
import { createCore, type Core } from '../core/app';
import { MemorySecretStore } from '../core/platform/secrets/memory-secret-store';
import { unwrap, type Io } from './io';

export interface CliContext {
  home: string;
  io: Io;
  core(): Core;
  call<N extends OpName>(name: N, input: OpInput<N>): Promise<OpResult<N>>;
  close(): Promise<void>;
}

export function createCliContext(home: string, io: Io): CliContext {
  let core: Core | null = null;
  const open = (): Core => {
    // The CLI has no OS keychain of its own: passwords come from ~/.pgpass, PGPASSWORD
    // or a prompt and live only in this process.
    core ??= createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore() });
    return core;
  };
  return {
    home,
    io,
    core: open,
    async call(name, input) {
      const c = open();
      const envelope = await c.dispatch(name, input, { actor: c.deps.actor, via: 'cli' });
      return unwrap(envelope) as OpResult<typeof name>;
    },
    async close() {
      if (core) await core.close();
    },
  };
}
