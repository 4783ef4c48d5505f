// The desktop shell's lifecycle rules, without Electron (which cannot run here) so they can
// be unit-tested with stand-ins: quitting waits for the core to close (the last audit
// completions and the cancelled backups' cleanup must reach the disk), and every main
// window, however it was opened, forgets itself when it closes.

export interface QuitControl {
  quit(): void;
  exit(code?: number): void;
}

export interface QuitOptions {
  /** Closes the core (and whatever must stop before it). */
  close: () => Promise<void>;
  /** After this, the app exits even if closing has not finished (a hung close must not keep it alive). */
  timeoutMs?: number;
  warn?: (message: string, detail?: unknown) => void;
}

export const QUIT_CLOSE_TIMEOUT_MS = 20_000;

/**
 * The `before-quit` listener. The first quit is held (preventDefault) while the core
 * closes; quits asked meanwhile are held too; once closed, `quit()` runs again and this
 * time goes through. If closing takes longer than the timeout, the app exits anyway.
 */
export function quitAfterClose(app: QuitControl, options: QuitOptions): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  const warn = options.warn ?? (() => undefined);
  return (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    const timer = setTimeout(() => {
      warn(`the core did not close within ${options.timeoutMs ?? QUIT_CLOSE_TIMEOUT_MS} ms; exiting anyway`);
      state = 'closed';
      app.exit(0);
    }, options.timeoutMs ?? QUIT_CLOSE_TIMEOUT_MS);
    void options
      .close()
      .catch((err: unknown) => warn('closing the core failed', err))
      .then(() => {
        clearTimeout(timer);
        if (state === 'closed') return;
        state = 'closed';
        app.quit();
      });
  };
}

export interface ClosableWindow {
  on(event: 'closed', listener: () => void): unknown;
}

/**
 * The one main window. Every window it opens (at start, on macOS `activate`, from a
 * reminder) gets the same `closed` handler, so a closed window is never used again.
 */
export class MainWindowSlot<W extends ClosableWindow> {
  private current: W | null = null;

  constructor(private readonly create: () => W) {}

  get(): W | null {
    return this.current;
  }

  open(): W {
    const win = this.create();
    this.current = win;
    win.on('closed', () => {
      if (this.current === win) this.current = null;
    });
    return win;
  }

  /** The open window, or a new one. */
  ensure(): { win: W; created: boolean } {
    if (this.current) return { win: this.current, created: false };
    return { win: this.open(), created: true };
  }
}

export interface FocusableWindow {
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** Brings the main window up (restored, shown, focused), or opens it again (macOS keeps running without one). */
export function focusMainWindow<W extends ClosableWindow & FocusableWindow>(slot: MainWindowSlot<W>): W {
  const { win, created } = slot.ensure();
  if (created) return win;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return win;
}

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/**
 * One desktop app per user: a second launch hands over to the first (which comes to the
 * front) and quits. Returns false when this process is the second one. The CLI takes no
 * part: the store's and the sandbox's own file locks keep it and the app from fighting.
 */
export function claimSingleInstance(app: SingleInstanceApp, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondLaunch);
  return true;
}
