// Where a connection's password comes from, in one order everywhere: what the user just
// typed, then this app's secret store, then libpq's own sources (PGPASSWORD, ~/.pgpass).
// Undefined is a valid answer: the server may accept trust or peer authentication.
import type { Profile } from '../../../contract/models';
import { elevatedConnection } from '../guard/elevation';
import { lookupPgpass, type PgpassOptions } from './pgpass';
import type { SecretStore } from './secret-store';

export type PasswordSource = 'explicit' | 'secret-store' | 'PGPASSWORD' | 'pgpass' | 'none';

export interface ResolvedPassword {
  password: string | undefined;
  source: PasswordSource;
  warnings: string[];
}

export interface ResolveOptions {
  explicit?: string | undefined;
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  pgpass?: Omit<PgpassOptions, 'env'>;
}

type ProfileTarget = Pick<Profile, 'id' | 'host' | 'port' | 'database' | 'user'>;

export function resolvePassword(profile: ProfileTarget, options: ResolveOptions): ResolvedPassword {
  const env = options.env ?? process.env;
  const elevation = elevatedConnection(profile);
  if (elevation?.role) return breakGlassPassword(profile, elevation.role, options, env);
  if (options.explicit !== undefined && options.explicit !== '') return { password: options.explicit, source: 'explicit', warnings: [] };
  const saved = options.secrets.get(profile.id);
  if (saved !== null) return { password: saved, source: 'secret-store', warnings: [] };
  if (env.PGPASSWORD !== undefined && env.PGPASSWORD !== '') return { password: env.PGPASSWORD, source: 'PGPASSWORD', warnings: [] };
  const found = lookupPgpass(profile, { ...options.pgpass, env });
  if (found.password !== null) return { password: found.password, source: 'pgpass', warnings: found.warnings };
  return { password: undefined, source: 'none', warnings: found.warnings };
}

/**
 * The break-glass role's password: its saved secret, else ~/.pgpass for that role. Never
 * what was typed for the profile's own role, nor PGPASSWORD (both belong to the other role).
 */
function breakGlassPassword(profile: ProfileTarget, role: string, options: ResolveOptions, env: NodeJS.ProcessEnv): ResolvedPassword {
  const saved = options.secrets.get(profile.id, 'breakglass');
  if (saved !== null) return { password: saved, source: 'secret-store', warnings: [] };
  const found = lookupPgpass({ ...profile, user: role }, { ...options.pgpass, env });
  if (found.password !== null) return { password: found.password, source: 'pgpass', warnings: found.warnings };
  return { password: undefined, source: 'none', warnings: found.warnings };
}

/** Words for where the password came from, for stage details and audit summaries. */
export function describePasswordSource(source: PasswordSource): string {
  switch (source) {
    case 'explicit':
      return 'the password entered';
    case 'secret-store':
      return 'the saved password';
    case 'PGPASSWORD':
      return 'PGPASSWORD';
    case 'pgpass':
      return 'the ~/.pgpass entry';
    default:
      return 'no password';
  }
}
