// What every command gets: the core (opened lazily, so `--help` and usage errors never
// touch the store), the terminal, and a typed way to call an operation.
import type { OpInput, OpName, OpResult } from '../contract/operations';
import type { Core, createCore } from '../core/app';
import { MemorySecretStore } from '../core/platform/secrets/memory-secret-store';
import { unwrap, type Io } from './io';

export interface CliContext {
  home: string;
  io: Io;
  core(): Core;
  call<N extends OpName>(name: N, input: OpInput<N>): Promise<OpResult<N>>;
  close(): Promise<void>;
}

/**
 * `create` is core/app's createCore, which main.ts loads beside the command's module (loading
 * it is most of the CLI's start-up); null for a command that opens its own core (serve, which
 * listens before loading it).
 */
export function createCliContext(home: string, io: Io, create: typeof createCore | null): CliContext {
  let core: Core | null = null;
  const open = (): Core => {
    if (!create) throw new Error('This command opens its own core');
    // The CLI has no OS keychain of its own: passwords come from ~/.pgpass, PGPASSWORD
    // or a prompt and live only in this process.
    core ??= create({ home, mode: 'cli', secrets: () => new MemorySecretStore() });
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
