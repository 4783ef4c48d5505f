// The CLI's one way to the storage (S3) secret access key of a profile. Never a flag (it would
// sit in argv and shell history): the environment variable below, else the secret store (the
// call without a secret), else a hidden prompt on a terminal; without a terminal the error
// says which variable to set, so scripts never hang.
import { errorDetail, OpsError } from '../contract/errors';
import { promptSecret, type Io } from './io';

export const STORAGE_SECRET_ENV = 'OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY';

/**
 * Runs `call` with the storage secret to use: the environment's when set, else `undefined`
 * (the core then reads the secret store); when that answers PASSWORD_REQUIRED for the storage
 * secret, asks on a terminal and calls once more with the answer.
 * `label` names what the key is for in the prompt, e.g. the profile's name.
 */
export async function withStorageSecret<T>(
  ctx: { io: Io },
  label: string,
  call: (secret: string | undefined) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const fromEnv = env[STORAGE_SECRET_ENV];
  if (fromEnv) return call(fromEnv);
  try {
    return await call(undefined);
  } catch (err) {
    if (!(err instanceof OpsError && err.code === 'PASSWORD_REQUIRED' && errorDetail(err, 'PASSWORD_REQUIRED')?.secret === 'storage')) throw err;
    const typed = await promptSecret(ctx.io, `Storage secret access key for ${label}: `);
    if (!typed) {
      throw new OpsError(
        'PASSWORD_REQUIRED',
        `${err.message.replace(/\s*\(CLI: [^)]*\)/, '')} Without a terminal, set ${STORAGE_SECRET_ENV} in the environment (never a flag).`,
        { secret: 'storage' },
      );
    }
    return call(typed);
  }
}
