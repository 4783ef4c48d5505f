// ops-console profile add|list|show|remove|test (see the CLI contract).
import { ENVIRONMENTS, type Environment, type Profile, type ProfileInput } from '../../contract/models';
import { OpsError } from '../../contract/errors';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { confirm, printJson, promptPassword, table } from '../io';

const USAGE = {
  add: 'ops-console profile add NAME --url URL [--env production|staging|development|sandbox] [--read-only | --read-write] [--statement-timeout MS] [--sslrootcert FILE] [--json]',
  list: 'ops-console profile list [--json]',
  show: 'ops-console profile show NAME [--json]',
  remove: 'ops-console profile remove NAME [--yes] [--confirm NAME]',
  test: 'ops-console profile test NAME [--json]',
};

/** The contract's public view of a profile: never a secret. */
export function profileView(p: Profile) {
  return { name: p.name, env: p.env, host: p.host, port: p.port, database: p.database, user: p.user, readOnly: p.readOnly, ssh: null };
}

function detailedView(p: Profile) {
  return {
    ...profileView(p),
    id: p.id,
    sslmode: p.sslmode,
    sslRootCert: p.sslRootCert,
    statementTimeoutMs: p.statementTimeoutMs,
    notes: p.notes,
    contacts: p.contacts,
    escalationLevel: p.escalationLevel,
    hasSecret: p.hasSecret,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export async function findProfile(ctx: CliContext, name: string): Promise<Profile> {
  const profiles = await ctx.call('listProfiles', {});
  const found = profiles.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new OpsError('NOT_FOUND', `No profile named "${name}" (see: ops-console profile list)`);
  return found;
}

async function add(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    url: { type: 'string' },
    env: { type: 'string' },
    'read-only': { type: 'boolean' },
    'read-write': { type: 'boolean' },
    'statement-timeout': { type: 'string' },
    sslrootcert: { type: 'string' },
    ssh: { type: 'string' },
    'ssh-key': { type: 'string' },
    'ssh-known-host': { type: 'string' },
  });
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.add);
  const url = stringFlag(parsed, 'url');
  if (!url) throw new UsageError(`--url is required\nusage: ${USAGE.add}`);
  const env = stringFlag(parsed, 'env');
  if (env !== undefined && !(ENVIRONMENTS as readonly string[]).includes(env)) {
    throw new UsageError(`--env must be one of ${ENVIRONMENTS.join(', ')}, got "${env}"`);
  }
  if (boolFlag(parsed, 'read-only') && boolFlag(parsed, 'read-write')) throw new UsageError('--read-only and --read-write exclude each other');
  if (stringFlag(parsed, 'ssh') ?? stringFlag(parsed, 'ssh-key') ?? stringFlag(parsed, 'ssh-known-host')) {
    throw new OpsError('NOT_IMPLEMENTED', 'SSH tunnels are not available in this version yet; connect directly or through a tunnel you open yourself');
  }
  const draft = await ctx.call('parseProfileUri', { uri: url });
  if (draft.password !== undefined) {
    throw new UsageError('passwords are never accepted on the command line: remove it from --url and keep it in ~/.pgpass (or PGPASSWORD)');
  }
  const input: ProfileInput = {
    ...(draft.fields as ProfileInput),
    name: name!,
    ...(env ? { env: env as Environment } : {}),
    ...(boolFlag(parsed, 'read-only') ? { readOnly: true } : {}),
    ...(boolFlag(parsed, 'read-write') ? { readOnly: false } : {}),
  };
  const timeout = intFlag(parsed, 'statement-timeout', { min: 0, max: 86_400_000 });
  if (timeout !== undefined) input.statementTimeoutMs = timeout;
  const cert = stringFlag(parsed, 'sslrootcert');
  if (cert !== undefined) input.sslRootCert = cert;
  const profile = await ctx.call('createProfile', { profile: input });
  for (const warning of draft.warnings) ctx.io.err(`warning: ${warning}`);
  if (ctx.io.json) printJson(ctx.io, { ok: true, ...detailedView(profile), warnings: draft.warnings });
  else ctx.io.out(`Added profile "${profile.name}" (${profile.env}${profile.readOnly ? ', read-only' : ''}): ${profile.user}@${profile.host}:${profile.port}/${profile.database}`);
  return 0;
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  expectPositionals(parsed, [], USAGE.list);
  const profiles = await ctx.call('listProfiles', {});
  if (ctx.io.json) printJson(ctx.io, { profiles: profiles.map(profileView) });
  else if (profiles.length === 0) ctx.io.out('No profiles yet. Add one with `ops-console profile add NAME --url postgres://user@host/db`, or start the demo: `ops-console sandbox start`.');
  else ctx.io.out(table(profiles.map((p) => ({ ...profileView(p), readOnly: p.readOnly ? 'yes' : 'no', ssh: '' })), ['name', 'env', 'host', 'port', 'database', 'user', 'readOnly']));
  return 0;
}

async function show(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.show);
  const profile = await findProfile(ctx, name!);
  const view = detailedView(profile);
  if (ctx.io.json) printJson(ctx.io, view);
  else for (const [k, v] of Object.entries(view)) ctx.io.out(`${k.padEnd(20)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return 0;
}

async function remove(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' }, confirm: { type: 'string' } });
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.remove);
  const profile = await findProfile(ctx, name!);
  await confirm(ctx.io, {
    question: `Remove profile "${profile.name}" (${profile.env}, ${profile.user}@${profile.host}:${profile.port}/${profile.database}) and its stored password?`,
    yes: boolFlag(parsed, 'yes'),
    production: profile.env === 'production',
    profileName: profile.name,
    confirmFlag: stringFlag(parsed, 'confirm'),
  });
  await ctx.call('removeProfile', { id: profile.id, confirmName: profile.name });
  if (ctx.io.json) printJson(ctx.io, { ok: true, removed: profile.name });
  else ctx.io.out(`Removed profile "${profile.name}"`);
  return 0;
}

async function test(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.test);
  const profile = await findProfile(ctx, name!);
  let result = await ctx.call('testProfile', { id: profile.id });
  const auth = result.stages.find((s) => s.name.toLowerCase().startsWith('auth'));
  // Only a person at a terminal is asked; scripts rely on ~/.pgpass or PGPASSWORD.
  if (!result.ok && auth && !auth.ok && /password/i.test(auth.error ?? '')) {
    const password = await promptPassword(ctx.io, `${profile.user}@${profile.host}:${profile.port}`);
    if (password) result = await ctx.call('testProfile', { id: profile.id, password });
  }
  if (ctx.io.json) {
    printJson(ctx.io, {
      ok: result.ok,
      serverVersion: result.serverVersion ?? null,
      stages: result.stages.map((s) => ({ name: s.name, ok: s.ok, ms: s.ms, ...(s.detail ? { detail: s.detail } : {}), ...(s.error ? { error: s.error } : {}) })),
      warnings: result.warnings,
    });
  } else {
    for (const s of result.stages) ctx.io.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(22)} ${String(s.ms).padStart(5)} ms  ${s.error ?? s.detail ?? ''}`);
    for (const w of result.warnings) ctx.io.out(`warning: ${w}`);
    ctx.io.out(result.ok ? `Connection OK — PostgreSQL ${result.serverVersion ?? '?'}` : 'Connection FAILED');
  }
  return result.ok ? 0 : 1;
}

export async function profileCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'show':
      return show(ctx, rest);
    case 'remove':
      return remove(ctx, rest);
    case 'test':
      return test(ctx, rest);
    default:
      throw new UsageError(`unknown profile command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
  }
}
