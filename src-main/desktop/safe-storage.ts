// Electron safeStorage as the desktop app's secret cipher. On Linux safeStorage may fall
// back to 'basic_text' (a hard-coded key: effectively plaintext) or report 'unknown'; we
// refuse those rather than pretend a password is protected.
import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/platform/secrets/encrypted-secret-store';

const WEAK_BACKENDS = new Set(['basic_text', 'unknown']);

function linuxBackend(): string | null {
  return process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
}

export function safeStorageCipher(): SecretCipher {
  const backend = linuxBackend();
  return {
    backend: `safeStorage:${backend ?? process.platform}`,
    isAvailable: () => safeStorage.isEncryptionAvailable() && !(backend !== null && WEAK_BACKENDS.has(backend)),
    unavailableReason: () => {
      if (!safeStorage.isEncryptionAvailable())
        return 'The operating system offers no encryption for saved passwords (no keychain). Use ~/.pgpass or enter the password when asked.';
      if (backend !== null && WEAK_BACKENDS.has(backend)) {
        return `No desktop keyring was found (safeStorage backend "${backend}" would keep passwords as good as plaintext), so none are saved. Install and unlock GNOME Keyring or KWallet, or use ~/.pgpass.`;
      }
      return undefined;
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (buf) => safeStorage.decryptString(buf),
  };
}
