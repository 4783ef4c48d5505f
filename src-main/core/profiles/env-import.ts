// A profile draft from the libpq environment variables, as psql would read them. Useful
// when the on-call engineer already has a working `psql` shell and wants the same target.
import type { ProfileDraft, ProfileFields } from '../../contract/models';
import { parseOptions, parsePort, parseSslMode } from './uri';
import { applySupabaseHints, suggestProfileName } from './supabase';

function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function importFromEnv(env: NodeJS.ProcessEnv = process.env): ProfileDraft {
  const fields: Partial<ProfileFields> = {};
  const warnings: string[] = [];
  const draft: ProfileDraft = { fields, warnings };

  const host = present(env.PGHOST);
  const port = present(env.PGPORT);
  const database = present(env.PGDATABASE);
  const user = present(env.PGUSER);
  const sslmode = present(env.PGSSLMODE);
  const rootCert = present(env.PGSSLROOTCERT);
  const options = present(env.PGOPTIONS);

  if (host !== undefined) {
    if (host.includes(',')) warnings.push(`PGHOST lists several hosts (${host}); only the first is used.`);
    fields.host = host.split(',')[0]!.trim();
  }
  if (port !== undefined) fields.port = parsePort(port.split(',')[0]!.trim(), 'PGPORT');
  if (user !== undefined) fields.user = user;
  if (database !== undefined) fields.database = database;
  else if (user !== undefined) {
    fields.database = user;
    warnings.push(`PGDATABASE is not set: libpq would use the user name, so the database is set to "${user}".`);
  }
  if (sslmode !== undefined) fields.sslmode = parseSslMode(sslmode, 'PGSSLMODE');
  if (rootCert !== undefined) fields.sslRootCert = rootCert;
  if (options !== undefined) parseOptions(options, fields, warnings);
  if (env.PGPASSWORD !== undefined && env.PGPASSWORD !== '') {
    draft.password = env.PGPASSWORD;
    warnings.push(
      'The password was taken from PGPASSWORD in the environment; any process started from that shell can read it. Prefer the secret store or ~/.pgpass.',
    );
  }

  if (fields.host === undefined) {
    warnings.push(host === undefined ? 'PGHOST is not set: enter the host.' : 'PGHOST is empty: enter the host.');
  } else if (fields.host.startsWith('/')) {
    warnings.push(`PGHOST is a Unix socket directory (${fields.host}); the profile connects through that socket.`);
  }
  if (fields.port === undefined && fields.host !== undefined) fields.port = 5432;
  if (user === undefined) warnings.push('PGUSER is not set: enter the user (libpq would use your login name).');

  const name = suggestProfileName(fields.host, fields.database, fields.user);
  if (name) fields.name = name;
  applySupabaseHints(draft, sslmode !== undefined);
  return draft;
}
