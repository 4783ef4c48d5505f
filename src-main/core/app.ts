// Assembles the core from its domains. Plain Node: the desktop shell, the web host, the
// CLI and the tests all build the same core with `createCore` and talk to it only
// through `dispatch`.
import path from 'node:path';
import { version } from '../../package.json';
import type { AppInfo } from '../contract/models';
import { activityModule } from './activity';
import { backupModule } from './backup';
import { monitoringModule } from './monitoring';
import { AuditLog } from './platform/audit/audit-log';
import { auditHandlers } from './platform/audit/handlers';
import { STORE_FILE } from './platform/fs/private-fs';
import { revealWithPlatformOpener, type RevealPath } from './platform/fs/reveal';
import { handlerTable, type CoreDeps, type DomainModule } from './platform/kernel/deps';
import { createDispatcher, type Dispatcher } from './platform/kernel/dispatch';
import { EventBus } from './platform/kernel/events';
import { currentActor, ensureHome } from './platform/kernel/home';
import { ProfileRepo } from './platform/profile-store/profile-repo';
import type { SecretCipher } from './platform/secrets/encrypted-secret-store';
import type { SecretStore } from './platform/secrets/secret-store';
import { TunnelManager, type TunnelManagerOptions } from './platform/ssh/tunnel-manager';
import { openStore, type Store } from './platform/store/store';
import { sweepToolRuns } from './platform/tools/sweep';
import { profilesModule } from './profiles';
import { queryModule } from './query';
import { restoreModule } from './restore';
import { runbookModule } from './runbook';
import { sandboxModule } from './sandbox';
import { storageModule } from './storage';
import { offsiteModule } from './offsite';
import { schemaModule } from './schema';
import { serverlogModule } from './serverlog';
import { fleetModule } from './fleet';
import { teamModule } from './team';
import { securityModule } from './security';
import { upgradeModule } from './upgrade';
import { toolkitModule } from './toolkit';
import { StepChecks } from './platform/kernel/step-checks';

export type { CoreDeps };

export interface CoreOptions {
  home: string;
  mode: AppInfo['mode'];
  /** Desktop: safeStorage-backed. CLI and browser mode: process memory only. */
  secrets: (store: Store) => SecretStore;
  /**
   * The cipher of a persistent secret store (desktop: safeStorage), for the secrets that are
   * not a profile's (offsite destinations' keys). Without it they live in process memory.
   */
  secretCipher?: SecretCipher;
  actor?: string;
  /** SSH tunnel tuning (idle close, known_hosts location); tests shorten the idle time. */
  tunnels?: TunnelManagerOptions;
  /** Shows a file in the system's file manager (the desktop shell passes Electron's); default: the platform's opener. */
  revealPath?: RevealPath;
  /** Refuse error codes an operation does not declare (dispatch.ts); tests set it, default: on under Vitest. */
  strictErrors?: boolean;
}

export interface Core extends Dispatcher {
  deps: CoreDeps;
  events: EventBus;
  close(): Promise<void>;
}

export function createCore(options: CoreOptions): Core {
  ensureHome(options.home);
  const store = openStore(path.join(options.home, STORE_FILE));
  const events = new EventBus();
  const audit = new AuditLog(store.db, (entry) =>
    events.emit({ type: 'audit.appended', id: entry.id, action: entry.action, outcome: entry.outcome, at: entry.at }),
  );
  const actor = options.actor ?? currentActor();
  const secrets = options.secrets(store);
  const deps: CoreDeps = {
    home: options.home,
    mode: options.mode,
    actor,
    store,
    audit,
    profiles: new ProfileRepo(store.db),
    secrets,
    events,
    tunnels: new TunnelManager({ secrets, audit, actor }, options.tunnels),
    revealPath: options.revealPath ?? revealWithPlatformOpener,
    stepChecks: new StepChecks(),
  };

  // What a process that died (kill -9, power cut) left running or lying around: its tool is
  // stopped, its partial output and pgpass file deleted; the catalogs are told by the backup
  // and restore modules as they open.
  const swept = sweepToolRuns(options.home);
  const backup = backupModule(deps, swept);
  const offsite = offsiteModule(deps, options.secretCipher ?? null);
  // The modules, in the order they are disposed in reverse: running restores and backups stop
  // before the sandbox their tools may be reading from, console sessions close before it too.
  const modules = [
    appInfoModule(deps),
    sandboxModule(deps),
    queryModule(deps),
    profilesModule(deps),
    { handlers: auditHandlers(deps) },
    runbookModule(deps),
    toolkitModule(deps),
    backup,
    restoreModule(deps, backup, offsite),
    activityModule(deps),
    monitoringModule(deps),
    storageModule(deps),
    schemaModule(deps),
    serverlogModule(deps),
    securityModule(deps),
    upgradeModule(deps),
    fleetModule(deps),
    teamModule(deps),
    offsite,
  ] as const;
  const handlers = handlerTable(modules);
  const dispatcher = createDispatcher(handlers, audit, { strictErrors: options.strictErrors });

  return {
    ...dispatcher,
    deps,
    events,
    async close() {
      const disposable: readonly DomainModule<never>[] = modules;
      for (const module of [...disposable].reverse()) await module.dispose?.();
      // Before the store: closing a tunnel writes its audit entry.
      await deps.tunnels.closeAll();
      store.close();
    },
  };
}

/** The app's own operation: what the shell shows in its title, About and first-run screens. */
function appInfoModule(deps: CoreDeps): DomainModule<'getAppInfo'> {
  return {
    handlers: {
      getAppInfo: () => {
        const secretStatus = deps.secrets.status();
        return {
          version,
          home: deps.home,
          mode: deps.mode,
          actor: deps.actor,
          secretStore: { available: secretStatus.available, backend: deps.secrets.backend, ...(secretStatus.reason ? { reason: secretStatus.reason } : {}) },
          firstRun: deps.profiles.list().length === 0,
        };
      },
    },
  };
}
