// Assembles the core from its domains. Plain Node: the desktop shell, the web host, the
// CLI and the tests all build the same core with `createCore` and talk to it only
// through `dispatch`.
import { activityHandlers } from './activity/handlers';
import { backupHandlers } from './backup/handlers';
import { monitoringHandlers } from './monitoring/handlers';
import { restoreHandlers } from './restore/handlers';
import { revealWithPlatformOpener, type RevealPath } from './platform/fs/reveal';
import path from 'node:path';
import { version } from '../../package.json';
import type { AppInfo } from '../contract/models';
import { AuditLog } from './platform/audit/audit-log';
import { auditHandlers } from './platform/audit/handlers';
import { createDispatcher, type Dispatcher, type Handlers } from './platform/kernel/dispatch';
import { EventBus } from './platform/kernel/events';
import { currentActor, ensureHome } from './platform/kernel/home';
import { ProfileRepo } from './platform/profile-store/profile-repo';
import { profileHandlers } from './profiles/handlers';
import { queryHandlers } from './query/handlers';
import { runbookHandlers } from './runbook/handlers';
import { sandboxHandlers } from './sandbox/handlers';
import type { SecretStore } from './platform/secrets/secret-store';
import { TunnelManager, type TunnelManagerOptions } from './platform/ssh/tunnel-manager';
import { STORE_FILE } from './platform/fs/private-fs';
import { openStore, type Store } from './platform/store/store';
import { sweepToolRuns } from './platform/tools/sweep';
import { toolkitHandlers } from './toolkit/handlers';

export interface CoreOptions {
  home: string;
  mode: AppInfo['mode'];
  /** Desktop: safeStorage-backed. CLI and browser mode: process memory only. */
  secrets: (store: Store) => SecretStore;
  actor?: string;
  /** SSH tunnel tuning (idle close, known_hosts location); tests shorten the idle time. */
  tunnels?: TunnelManagerOptions;
  /** Shows a file in the system's file manager (the desktop shell passes Electron's); default: the platform's opener. */
  revealPath?: RevealPath;
}

/** What every domain's handler factory receives. */
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
  };

  const sandbox = sandboxHandlers(deps);
  const query = queryHandlers(deps);
  // What a process that died (kill -9, power cut) left running or lying around: its tool is
  // stopped, its partial output and pgpass file deleted; the catalogs are told below.
  const swept = sweepToolRuns(options.home);
  const backup = backupHandlers(deps, swept);
  const restore = restoreHandlers(deps, backup);
  const handlers: Handlers = {
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
    ...profileHandlers(deps),
    ...auditHandlers(deps),
    ...sandbox.handlers,
    ...query.handlers,
    ...runbookHandlers(deps),
    ...toolkitHandlers(deps),
    ...backup.handlers,
    ...restore.handlers,
    ...activityHandlers(deps),
    ...monitoringHandlers(deps),
  };
  const dispatcher = createDispatcher(handlers, audit);

  return {
    ...dispatcher,
    deps,
    events,
    async close() {
      // Running backups first: their pg_dump may be reading from the sandbox.
      await restore.dispose();
      await backup.dispose();
      await sandbox.dispose();
      // Console sessions first: they may run through a tunnel that closeAll ends next.
      await query.dispose();
      // Before the store: closing a tunnel writes its audit entry.
      await deps.tunnels.closeAll();
      store.close();
    },
  };
}
