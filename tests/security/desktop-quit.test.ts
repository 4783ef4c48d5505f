// Issue #14 §7.7: the desktop shell quit without waiting for core.close() (the last audit
// completions could be cut off), and a window re-created on macOS `activate` had no
// `closed` handler. Electron cannot run here, so the rules live in desktop/lifecycle.ts and
// are driven with stand-ins shaped like Electron's app, events and windows.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { MainWindowSlot, quitAfterClose, type QuitControl } from '../../src-main/desktop/lifecycle';

/** An app whose quit() emits before-quit the way Electron does, and records whether it really quit. */
class FakeApp extends EventEmitter implements QuitControl {
  quitted = false;
  exited: number | null = null;
  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exited = code;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('quit waits for core.close()', () => {
  it('holds the quit until close() resolved, closes once even when asked to quit again, then quits', async () => {
    const app = new FakeApp();
    const closing = deferred();
    const close = vi.fn(() => closing.promise);
    let auditCommitted = false;
    app.on('before-quit', quitAfterClose(app, { close: () => close().then(() => void (auditCommitted = true)) }));

    app.quit();
    app.quit();
    await Promise.resolve();
    expect(app.quitted).toBe(false);
    expect(close).toHaveBeenCalledTimes(1);

    closing.resolve();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(auditCommitted).toBe(true);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('quits even when close() fails, and exits when close() hangs past the timeout', async () => {
    const failing = new FakeApp();
    const warn = vi.fn();
    failing.on('before-quit', quitAfterClose(failing, { close: () => Promise.reject(new Error('disk gone')), warn }));
    failing.quit();
    await vi.waitFor(() => expect(failing.quitted).toBe(true));
    expect(warn).toHaveBeenCalledWith('closing the core failed', expect.any(Error));

    vi.useFakeTimers();
    try {
      const hung = new FakeApp();
      hung.on('before-quit', quitAfterClose(hung, { close: () => new Promise<void>(() => undefined), timeoutMs: 1000 }));
      hung.quit();
      vi.advanceTimersByTime(999);
      expect(hung.exited).toBeNull();
      vi.advanceTimersByTime(1);
      expect(hung.exited).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('every main window gets the closed handler', () => {
  class FakeWindow extends EventEmitter {}

  it('a window re-created after the first closed (macOS activate) is forgotten when it closes too', () => {
    const slot = new MainWindowSlot(() => new FakeWindow());
    const first = slot.open();
    first.emit('closed');
    expect(slot.get()).toBeNull();

    const second = slot.open();
    expect(slot.get()).toBe(second);
    second.emit('closed');
    expect(slot.get()).toBeNull();

    const { win, created } = slot.ensure();
    expect(created).toBe(true);
    expect(slot.ensure()).toEqual({ win, created: false });
    // A late 'closed' from an older window does not forget the current one.
    first.emit('closed');
    expect(slot.get()).toBe(win);
  });
});
