// Who may call the core over IPC: only our window's top frame, showing our own page.
// Kept free of Electron imports (types only) so tests can exercise it in plain Node.
import type { IpcMainInvokeEvent, WebContents } from 'electron';

export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;
export type TrustedContents = Pick<WebContents, 'mainFrame'>;

export function isTrustedSender(event: SenderEvent, contents: TrustedContents | WebContents, allowedUrlPrefix: string): boolean {
  const frame = event.senderFrame;
  if ((event.sender as unknown) !== contents || !frame) return false;
  // A subframe (an iframe some page managed to embed) never speaks for the app.
  if (frame !== contents.mainFrame) return false;
  // The frame must still show our page: after a navigation elsewhere it is not ours.
  return frame.url.startsWith(allowedUrlPrefix);
}
