// The CLI's one answer to PASSWORD_REQUIRED (cli.md): call without a password; when the
// server wants one, ask on the terminal ("Password for user@host:port: ") and call once
// more with it. Without a terminal, or with an empty answer, the first error stands, so
// scripts see PASSWORD_REQUIRED and never hang.
import { OpsError, errorDetail } from '../contract/errors';
import type { Profile } from '../contract/models';
import { promptPassword, type Io } from './io';

type PasswordTarget = Pick<Profile, 'user' | 'host' | 'port'>;

/**
 * `profile` may be a function: it is then read only when a password is asked for (a
 * command that lets the operation find the profile keeps that operation's error).
 */
export async function withPasswordRetry<T>(
  ctx: { io: Io },
  profile: PasswordTarget | (() => PasswordTarget),
  call: (password?: string) => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof OpsError && err.code === 'PASSWORD_REQUIRED')) throw err;
    // The storage secret access key is not the database password (cli/storage-secret.ts asks for it).
    if (errorDetail(err, 'PASSWORD_REQUIRED')?.secret === 'storage') throw err;
    const target = typeof profile === 'function' ? profile() : profile;
    const password = await promptPassword(ctx.io, `${target.user}@${target.host}:${target.port}`);
    if (!password) throw err;
    return call(password);
  }
}
