// Sandbox operations for the dispatcher. The dispatcher audits start/stop/reset; we add
// the profile name and the commands actually run (even when one of them failed).
import type { SandboxStatus } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext, Handlers } from '../platform/kernel/dispatch';
import { SANDBOX_PROFILE, Sandbox } from './sandbox';

export type SandboxHandlers = Pick<Handlers, 'getSandboxStatus' | 'startSandbox' | 'stopSandbox' | 'resetSandbox'>;

export function sandboxHandlers(deps: Pick<CoreDeps, 'home' | 'profiles' | 'events'>): { handlers: SandboxHandlers; dispose(): Promise<void> } {
  const sandbox = new Sandbox({ home: deps.home, profiles: deps.profiles });

  function announce(running: boolean): void {
    deps.events.emit({ type: 'sandbox.changed', running, at: new Date().toISOString() });
  }

  async function audited(ctx: CallContext, verb: string, run: (commands: string[]) => Promise<SandboxStatus>): Promise<SandboxStatus> {
    const commands: string[] = [];
    ctx.audit.profile = SANDBOX_PROFILE;
    try {
      const status = await run(commands);
      ctx.audit.summary = status.running ? `Sandbox ${verb}: running on 127.0.0.1:${status.port ?? '?'}` : `Sandbox ${verb}: stopped`;
      announce(status.running);
      return status;
    } catch (err) {
      // State may have changed half-way (e.g. started but seeding failed): tell the UI to re-read.
      announce(
        await sandbox.status().then(
          (s) => s.running,
          () => false,
        ),
      );
      throw err;
    } finally {
      ctx.audit.detail = commands.length > 0 ? commands.join('\n') : `(nothing to do: sandbox already ${verb === 'stop' ? 'stopped' : 'running'})`;
    }
  }

  return {
    handlers: {
      getSandboxStatus: () => sandbox.status(),
      startSandbox: (_input, ctx) => audited(ctx, 'start', (commands) => sandbox.start(commands)),
      stopSandbox: (_input, ctx) => audited(ctx, 'stop', (commands) => sandbox.stop(commands)),
      resetSandbox: (_input, ctx) => audited(ctx, 'reset', (commands) => sandbox.reset(commands)),
    },
    // The cluster outlives the app on purpose (the CLI starts it and exits); closing only
    // waits for an operation in flight so it is not cut off half-way.
    dispose: () => sandbox.idle(),
  };
}
