// IPC sender validation of the desktop shell (the Electron binary cannot run here, so the
// rule lives in a pure function and is tested with frames shaped like Electron's).
import { describe, expect, it } from 'vitest';
import { isTrustedSender, type SenderEvent, type TrustedContents } from '../../src-main/desktop/sender';

const PAGE = 'file:///opt/ops-console/out/renderer/index.html';

function frame(url: string) {
  return { url } as unknown as NonNullable<SenderEvent['senderFrame']>;
}

describe('isTrustedSender', () => {
  const top = frame(PAGE);
  const contents = { mainFrame: top } as unknown as TrustedContents;

  it('accepts our window top frame showing our page', () => {
    expect(isTrustedSender({ sender: contents, senderFrame: top } as unknown as SenderEvent, contents, PAGE)).toBe(true);
  });

  it('refuses a subframe, another window, a foreign page and a destroyed frame', () => {
    const iframe = frame(PAGE);
    expect(isTrustedSender({ sender: contents, senderFrame: iframe } as unknown as SenderEvent, contents, PAGE)).toBe(false);
    const other = { mainFrame: top } as unknown as TrustedContents;
    expect(isTrustedSender({ sender: other, senderFrame: top } as unknown as SenderEvent, contents, PAGE)).toBe(false);
    const navigated = frame('https://evil.example/');
    const navigatedContents = { mainFrame: navigated } as unknown as TrustedContents;
    expect(isTrustedSender({ sender: navigatedContents, senderFrame: navigated } as unknown as SenderEvent, navigatedContents, PAGE)).toBe(false);
    expect(isTrustedSender({ sender: contents, senderFrame: null } as unknown as SenderEvent, contents, PAGE)).toBe(false);
  });
});
