// IPC wiring: one ipcMain handler per contract operation, each checking who sent it.
// Only our window's top frame, showing our own page, may call the core.
import { ipcMain, type WebContents } from 'electron';
import { channelFor, EVENT_CHANNEL, OP_NAMES } from '../contract/operations';
import type { Core } from '../core/app';
import { log } from '../core/platform/kernel/log';
import { isTrustedSender } from './sender';

export function registerIpc(core: Core, getContents: () => WebContents | null, allowedUrlPrefix: string): () => void {
  for (const name of OP_NAMES) {
    ipcMain.handle(channelFor(name), async (event, input: unknown) => {
      const contents = getContents();
      if (!contents || !isTrustedSender(event, contents, allowedUrlPrefix)) {
        log.warn(`refused IPC ${name} from an untrusted frame: ${event.senderFrame?.url ?? '(gone)'}`);
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Refused: the request did not come from the Ops Console window' } };
      }
      return core.dispatch(name, input, { actor: core.deps.actor, via: 'desktop' });
    });
  }
  const unsubscribe = core.events.subscribe((appEvent) => getContents()?.send(EVENT_CHANNEL, appEvent));
  return () => {
    unsubscribe();
    for (const name of OP_NAMES) ipcMain.removeHandler(channelFor(name));
  };
}
