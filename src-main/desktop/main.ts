// The desktop shell: the only code that imports Electron. It opens one locked-down window,
// wires IPC to the core and supplies safeStorage. Everything else is in the plain-Node core.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, screen, shell } from 'electron';
import { createCore, type Core } from '../core/app';
import { resolveHome } from '../core/platform/kernel/home';
import { log } from '../core/platform/kernel/log';
import { privateUmask } from '../core/platform/fs/private-fs';
import { EncryptedSecretStore } from '../core/platform/secrets/encrypted-secret-store';
import { setAppRoot } from '../core/platform/store/native-binding';
import { registerIpc } from './ipc';
import { claimSingleInstance, focusMainWindow as bringUp, MainWindowSlot, quitAfterClose } from './lifecycle';
import { auditRendererGone } from './renderer-crash';
import { startChecklistReminders } from './reminders';
import { safeStorageCipher } from './safe-storage';
import { debounced, DEFAULT_SIZES, placeWindow, readWindowState, writeWindowState } from './window-state';

let core: Core | null = null;
const home = resolveHome(null);
let stopReminders: (() => void) | null = null;

const devUrl = process.env.ELECTRON_RENDERER_URL;
const indexFile = path.join(__dirname, '../renderer/index.html');
/** Our page's address; IPC from any other document is refused. */
const allowedPrefix = devUrl ?? pathToFileURL(indexFile).href;

/** Links leave the app only as http(s), through the system browser. */
function openExternal(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:') void shell.openExternal(parsed.href);
  } catch {
    log.warn(`refused to open a malformed link`);
  }
}

/** Size and position are remembered in <home>/window-state.json (see window-state.ts). */
function rememberPlace(win: BrowserWindow): void {
  const save = debounced(() => {
    if (win.isDestroyed()) return;
    try {
      writeWindowState(home, { bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() });
    } catch (err) {
      log.warn('could not save the window position', err instanceof Error ? err.message : String(err));
    }
  });
  win.on('resize', save.schedule);
  win.on('move', save.schedule);
  win.on('maximize', save.schedule);
  win.on('unmaximize', save.schedule);
  win.on('enter-full-screen', save.schedule);
  win.on('leave-full-screen', save.schedule);
  win.on('close', () => save.flush());
  win.on('closed', () => save.cancel());
}

/** A renderer that dies is audited and logged, and the user may reload the window. */
function watchRenderer(win: BrowserWindow): void {
  win.webContents.on('render-process-gone', (_event, details) => {
    let message: string | null = null;
    try {
      message = core ? auditRendererGone(core.deps.audit, core.deps.actor, details) : null;
    } catch (err) {
      log.error('could not audit the renderer crash', err);
    }
    if (!message) {
      if (details.reason === 'clean-exit') return;
      message = `The window's renderer process stopped (${details.reason}).`;
    }
    log.error(message);
    if (win.isDestroyed()) return;
    // Not the Sync variant: the core (a running backup, say) keeps working meanwhile.
    void dialog
      .showMessageBox(win, {
        type: 'error',
        buttons: ['Reload', 'Close window'],
        defaultId: 0,
        cancelId: 1,
        title: 'The window stopped',
        message,
        detail: 'Work in the core (running backups, the audit trail) is not affected. Reload to continue.',
      })
      .then(({ response }) => {
        if (win.isDestroyed()) return;
        if (response === 0) win.webContents.reload();
        else win.close();
      });
  });
}

function createWindow(): BrowserWindow {
  const place = placeWindow(
    readWindowState(home),
    [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...place.bounds,
    minWidth: DEFAULT_SIZES.minWidth,
    minHeight: DEFAULT_SIZES.minHeight,
    title: 'Ops Console',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => {
    if (place.maximized) win.maximize();
    if (place.fullScreen) win.setFullScreen(true);
    win.show();
  });
  rememberPlace(win);
  watchRenderer(win);
  win.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(allowedPrefix)) {
      event.preventDefault();
      openExternal(url);
    }
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // The page asks to stay (beforeunload) only while a console transaction is open. Electron
  // would silently keep the window open; ask instead (preventDefault lets it close).
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'warning',
      buttons: ['Stay', 'Close and roll back'],
      defaultId: 0,
      cancelId: 0,
      title: 'Transaction open',
      message: 'A transaction is still open on a query console session.',
      detail: 'Closing ends the session and the server rolls the transaction back. Stay to COMMIT or ROLLBACK it yourself.',
    });
    if (choice === 1) event.preventDefault();
  });
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(indexFile);
  return win;
}

/** Every main window, whichever path opens it, is tracked and forgotten when closed. */
const mainWindow = new MainWindowSlot(createWindow);

/** A reminder was clicked or the app launched again: bring the window up, or open it again (macOS keeps running without one). */
function focusMainWindow(): void {
  bringUp(mainWindow);
}

app.enableSandbox();
// better-sqlite3 for Electron's ABI lives in the app's build/electron-native (beside the asar when packaged).
setAppRoot(app.getAppPath());
// The same umask as the CLI: files the app or its pg_dump create get no group/other bits.
privateUmask();

// A second launch focuses this one's window and quits (before opening the store).
const firstInstance = claimSingleInstance(app, () => {
  if (app.isReady()) focusMainWindow();
});

if (firstInstance)
  app
    .whenReady()
    .then(() => {
      core = createCore({
        home,
        mode: 'desktop',
        secrets: (store) => new EncryptedSecretStore(store.db, safeStorageCipher()),
        secretCipher: safeStorageCipher(),
        // The core knows only the path; showing it is the shell's job.
        revealPath: async (target) => {
          shell.showItemInFolder(target);
          return true;
        },
      });
      registerIpc(core, () => mainWindow.get()?.webContents ?? null, allowedPrefix);
      mainWindow.open();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) mainWindow.open();
      });
      stopReminders = startChecklistReminders(core, focusMainWindow);
    })
    .catch((err: unknown) => {
      log.error('failed to start', err);
      app.exit(1);
    });

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Quitting waits for core.close(): running backups are cancelled and cleaned up, and the
// last audit completions are committed before the process ends.
app.on(
  'before-quit',
  quitAfterClose(app, {
    close: async () => {
      stopReminders?.();
      await core?.close();
    },
    warn: (message, detail) => log.warn(message, detail),
  }),
);
