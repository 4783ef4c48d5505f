// The kernel types every domain is built from. They live here, below every domain, so a
// domain never imports the composition root (core/app.ts) back: app.ts lists the modules,
// the modules know only the platform.
import type { AppInfo } from '../../../contract/models';
import type { OpName } from '../../../contract/operations';
import type { AuditLog } from '../audit/audit-log';
import type { RevealPath } from '../fs/reveal';
import type { ProfileRepo } from '../profile-store/profile-repo';
import type { SecretStore } from '../secrets/secret-store';
import type { TunnelManager } from '../ssh/tunnel-manager';
import type { Store } from '../store/store';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { StepChecks } from './step-checks';

/** What every domain's module factory receives. */
export interface CoreDeps {
  home: string;
  mode: AppInfo['mode'];
  actor: string;
  store: Store;
  audit: AuditLog;
  profiles: ProfileRepo;
  secrets: SecretStore;
  events: EventBus;
  /** One shared SSH tunnel per profile with `ssh`; every connection goes through it. */
  tunnels: TunnelManager;
  revealPath: RevealPath;
  /** Built-in checks runbook steps can name (`{ type: 'check' }`): domains register, the checklist engine runs them. */
  stepChecks: StepChecks;
}

/**
 * The one shape of a domain: the operations it handles and, when it holds something that
 * outlives a call (sessions, running jobs, a sandbox cluster), how to let it go. `createCore`
 * spreads the handlers into one table and disposes the modules in reverse order of creation.
 */
export interface DomainModule<Ops extends OpName = OpName> {
  handlers: Pick<Handlers, Ops>;
  dispose?(): Promise<void>;
}

type OpsOf<M> = M extends { handlers: infer H } ? keyof H : never;
type Missing<M extends readonly DomainModule<never>[]> = Exclude<OpName, OpsOf<M[number]>>;

/**
 * The one handler table of the listed modules. It does not compile while an operation of the
 * contract has no module handling it (the error names the missing operations).
 */
export function handlerTable<const M extends readonly DomainModule<never>[]>(
  modules: M & ([Missing<M>] extends [never] ? unknown : { missingHandlersFor: Missing<M> }),
): Handlers {
  return Object.assign({}, ...modules.map((m) => m.handlers)) as Handlers;
}
