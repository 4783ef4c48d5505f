// Checks shared by profile validation (CA file, SSH key files): a file named in a profile
// must be readable now, not at 3 AM when the profile is first used.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';

/** INVALID_INPUT naming the field, in the shape the dispatcher uses for schema errors. */
export function fieldError(field: string, message: string): OpsError {
  return new OpsError('INVALID_INPUT', `${field}: ${message}`, { fields: [{ field, message }] });
}

export function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}

/** Absolute path of an existing, readable regular file, or a field error saying why not. */
export function requireReadableFile(field: string, rawPath: string, what: string): string {
  const file = path.resolve(expandHome(rawPath));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw fieldError(field, `${what} ${file} ${why}`);
  }
  if (!stat.isFile()) throw fieldError(field, `${what} ${file} is not a regular file`);
  return file;
}
