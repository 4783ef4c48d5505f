// Issue 20: the desktop shell's rules without Electron — window placement remembered across
// launches, one instance per user, a renderer crash audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src-main/core/platform/audit/audit-log';
import { openStore, type Store } from '../../src-main/core/platform/store/store';
import { claimSingleInstance, focusMainWindow, MainWindowSlot } from '../../src-main/desktop/lifecycle';
import { auditRendererGone, describeRendererGone, RENDERER_GONE_ACTION } from '../../src-main/desktop/renderer-crash';
import {
  debounced,
  DEFAULT_SIZES,
  parseWindowState,
  placeWindow,
  readWindowState,
  WINDOW_STATE_FILE,
  writeWindowState,
} from '../../src-main/desktop/window-state';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };
const saved = (x: number, y: number, width = 1200, height = 800) => ({ bounds: { x, y, width, height }, maximized: false, fullScreen: false });

describe('window placement', () => {
  it('opens at the default size, centred, the first time', () => {
    const place = placeWindow(null, [primary]);
    expect(place.bounds).toEqual({ x: 280, y: 80, width: DEFAULT_SIZES.width, height: DEFAULT_SIZES.height });
    expect(place.maximized).toBe(false);
  });

  it('comes back where it was, on whichever screen that was', () => {
    expect(placeWindow(saved(100, 50), [primary]).bounds).toEqual({ x: 100, y: 50, width: 1200, height: 800 });
    expect(placeWindow(saved(2000, 100), [primary, right]).bounds).toEqual({ x: 2000, y: 100, width: 1200, height: 800 });
    expect(placeWindow({ ...saved(10, 10), maximized: true }, [primary]).maximized).toBe(true);
  });

  it('is centred on the primary screen when its screen is gone', () => {
    const place = placeWindow(saved(2000, 100), [primary]);
    expect(place.bounds).toEqual({ x: 360, y: 120, width: 1200, height: 800 });
  });

  it('never opens smaller than the minimum or larger than the screen, nor with its title bar above it', () => {
    expect(placeWindow(saved(0, 0, 300, 200), [primary]).bounds).toMatchObject({ width: DEFAULT_SIZES.minWidth, height: DEFAULT_SIZES.minHeight });
    expect(placeWindow(saved(0, 0, 5000, 3000), [primary]).bounds).toMatchObject({ width: 1920, height: 1040 });
    expect(placeWindow(saved(100, -10), [primary]).bounds).toMatchObject({ x: 100, y: 0 });
    expect(placeWindow(saved(100, -500), [primary]).bounds).toMatchObject({ x: 360, y: 120 });
  });

  it('ignores a state file it did not write', () => {
    expect(parseWindowState(null)).toBeNull();
    expect(parseWindowState('{"bounds":')).toBeNull();
    expect(parseWindowState('[]')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":"1","y":0,"width":10,"height":10}}')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":1,"y":0,"width":-10,"height":10}}')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":1.4,"y":0,"width":1000,"height":700},"maximized":"yes"}')).toEqual({
      bounds: { x: 1, y: 0, width: 1000, height: 700 },
      maximized: false,
      fullScreen: false,
    });
  });
});

describe('window state file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is a private JSON file in the app home that reads back', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-winstate-'));
    dirs.push(home);
    expect(readWindowState(home)).toBeNull();
    writeWindowState(home, { ...saved(5, 6), maximized: true });
    expect(readWindowState(home)).toEqual({ ...saved(5, 6), maximized: true });
    if (process.platform !== 'win32') expect(fs.statSync(path.join(home, WINDOW_STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(home)).toEqual([WINDOW_STATE_FILE]);
  });

  it('is saved at most once per burst of moves, and at once on close', () => {
    vi.useFakeTimers();
    try {
      const save = vi.fn();
      const d = debounced(save, 500);
      for (let i = 0; i < 20; i += 1) d.schedule();
      expect(save).not.toHaveBeenCalled();
      vi.advanceTimersByTime(500);
      expect(save).toHaveBeenCalledTimes(1);
      d.schedule();
      d.flush();
      expect(save).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(1000);
      expect(save).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('single instance', () => {
  function fakeApp(gotLock: boolean) {
    const listeners: Array<() => void> = [];
    return {
      requestSingleInstanceLock: () => gotLock,
      on: (_event: 'second-instance', listener: () => void) => listeners.push(listener),
      quit: vi.fn(),
      listeners,
    };
  }

  it('the second launch quits; the first brings its window to the front', () => {
    const second = fakeApp(false);
    expect(claimSingleInstance(second, () => undefined)).toBe(false);
    expect(second.quit).toHaveBeenCalled();
    expect(second.listeners).toHaveLength(0);

    const first = fakeApp(true);
    const win = { on: vi.fn(), isMinimized: () => true, restore: vi.fn(), show: vi.fn(), focus: vi.fn() };
    const slot = new MainWindowSlot(() => win);
    slot.open();
    expect(claimSingleInstance(first, () => focusMainWindow(slot))).toBe(true);
    expect(first.quit).not.toHaveBeenCalled();
    first.listeners[0]?.();
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
  });

  it('opens a window again when none is open (macOS)', () => {
    const create = vi.fn(() => ({ on: vi.fn(), isMinimized: () => false, restore: vi.fn(), show: vi.fn(), focus: vi.fn() }));
    const slot = new MainWindowSlot(create);
    focusMainWindow(slot);
    expect(create).toHaveBeenCalledTimes(1);
  });
});

describe('renderer crash', () => {
  let store: Store | null = null;
  const dirs: string[] = [];
  afterEach(() => {
    store?.close();
    store = null;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is not reported for a normal close', () => {
    expect(describeRendererGone({ reason: 'clean-exit', exitCode: 0 })).toBeNull();
    expect(
      auditRendererGone(
        {
          record: () => {
            throw new Error('must not record');
          },
        },
        'me',
        { reason: 'clean-exit', exitCode: 0 },
      ),
    ).toBeNull();
  });

  it('is named, and audited as a failed entry that verifies', () => {
    expect(describeRendererGone({ reason: 'oom', exitCode: -1 })).toBe("The window's renderer process ran out of memory (exit code -1).");
    expect(describeRendererGone({ reason: 'something-new', exitCode: 3 })).toContain('stopped (something-new)');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-crash-'));
    dirs.push(home);
    store = openStore(path.join(home, 'ops-console.sqlite'));
    const audit = new AuditLog(store.db);
    const message = auditRendererGone(audit, 'dba', { reason: 'crashed', exitCode: 139 });
    expect(message).toBe("The window's renderer process crashed (exit code 139).");
    const [entry] = audit.search({ limit: 10 } as Parameters<AuditLog['search']>[0]);
    expect(entry).toMatchObject({ action: RENDERER_GONE_ACTION, outcome: 'error', actor: 'dba', summary: message });
    expect(audit.verify()).toMatchObject({ ok: true });
  });
});
