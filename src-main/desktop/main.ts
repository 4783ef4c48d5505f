// The desktop shell: the only code that imports Electron. It opens one locked-down window,
// wires IPC to the core and supplies safeStorage. Everything else is in the plain-Node core.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { createCore, type Core } from '../core/app';
import { resolveHome } from '../core/home';
import { log } from '../core/log';
import { privateUmask } from '../core/private-fs';
import { EncryptedSecretStore } from '../core/secrets/encrypted-secret-store';
import { setAppRoot } from '../core/store/native-binding';
import { registerIpc } from './ipc';
import { MainWindowSlot, quitAfterClose } from './lifecycle';
import { startChecklistReminders } from './reminders';
import { safeStorageCipher } from './safe-storage';

let core: Core | null = null;
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

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
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
  win.once('ready-to-show', () => win.show());
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

/** A reminder was clicked: bring the window up, or open it again (macOS keeps running without one). */
function focusMainWindow(): void {
  const { win, created } = mainWindow.ensure();
  if (created) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

app.enableSandbox();
// better-sqlite3 for Electron's ABI lives in the app's build/electron-native (beside the asar when packaged).
setAppRoot(app.getAppPath());
// The same umask as the CLI: files the app or its pg_dump create get no group/other bits.
privateUmask();

app.whenReady().then(() => {
  core = createCore({
    home: resolveHome(null),
    mode: 'desktop',
    secrets: (store) => new EncryptedSecretStore(store.db, safeStorageCipher()),
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
}).catch((err: unknown) => {
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
