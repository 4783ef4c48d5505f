// The renderer's one answer to a server that wants a password: PASSWORD_REQUIRED (none
// saved) asks for one; AUTH_FAILED asks again only once a password was typed (the saved
// one is the user's to fix on the Profiles screen). A typed password is kept by the screen
// for its own calls, in memory, never stored.
import { useCallback, useState } from 'react';
import { OpsError } from '../api/client';

/** Whether this failure means "ask for a password"; `typed`: a password was given or is being asked for. */
export function asksForPassword(err: { code: string } | null | undefined, typed: boolean): boolean {
  return Boolean(err && (err.code === 'PASSWORD_REQUIRED' || (err.code === 'AUTH_FAILED' && typed)));
}

export interface PasswordState {
  /** The password typed for this screen, sent with each call; undefined until one is. */
  password: string | undefined;
  /** A prompt is due: calls that would only fail again wait for it. */
  needsPassword: boolean;
  submitPassword: (password: string) => void;
  /** Called with every failure: asks for a password when the server wants one. */
  noteError: (err: unknown) => void;
  /** A call went through: no prompt. */
  passwordWorked: () => void;
  /** Another profile: forget the password and the prompt. */
  reset: () => void;
}

export function usePassword(): PasswordState {
  const [password, setPassword] = useState<string | undefined>(undefined);
  const [needsPassword, setNeedsPassword] = useState(false);
  const submitPassword = useCallback((value: string) => {
    setPassword(value);
    setNeedsPassword(false);
  }, []);
  const noteError = useCallback(
    (err: unknown) => {
      if (err instanceof OpsError && asksForPassword(err, password !== undefined)) setNeedsPassword(true);
    },
    [password],
  );
  const passwordWorked = useCallback(() => setNeedsPassword(false), []);
  const reset = useCallback(() => {
    setNeedsPassword(false);
    setPassword(undefined);
  }, []);
  return { password, needsPassword, submitPassword, noteError, passwordWorked, reset };
}
