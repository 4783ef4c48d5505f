// ops-console profile add|list|show|remove|test (see the CLI contract).
import os from 'node:os';
import { ENVIRONMENTS, type ConnectionTestResult, type Environment, type Profile, type ProfileInput, type SshSettingsInput } from '../../contract/models';
import { OpsError } from '../../contract/errors';
import { pinFromKnownHostsLine } from '../../core/platform/ssh/host-keys';
import { boolFlag, expectPositionals, intFlag, listFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { confirm, printJson, promptPassword, promptSecret, table } from '../io';
import { BREAK_GLASS_FLAGS, breakGlassFromFlags, breakGlassView } from './profile-breakglass';
import { editProfile, STORAGE_FLAGS, STORAGE_USAGE, storageFromFlags, storageView, testStorage } from './profile-storage';

const USAGE = {
  add: 'ops-console profile add NAME --url URL [--env production|staging|development|sandbox] [--read-only | --read-write] [--statement-timeout MS] [--sslrootcert FILE] [--ssh USER@HOST[:PORT]] [--ssh-key FILE] [--ssh-known-host "LINE"] [--storage-endpoint URL --storage-access-key-id ID [--storage-region R] [--storage-virtual-host]] [--break-glass-user ROLE] [--tag T]... [--json]',
  list: 'ops-console profile list [--json]',
  show: 'ops-console profile show NAME [--json]',
  remove: 'ops-console profile remove NAME [--yes] [--confirm NAME]',
  test: 'ops-console profile test NAME [--json]',
  ...STORAGE_USAGE,
};

/** "user@host:port" of the bastion, or null for a direct profile (cli.md). */
function sshView(p: Profile): string | null {
  return p.ssh ? `${p.ssh.user}@${p.ssh.host}:${p.ssh.port}` : null;
}

/** The contract's public view of a profile: never a secret. */
export function profileView(p: Profile) {
  return { name: p.name, env: p.env, host: p.host, port: p.port, database: p.database, user: p.user, readOnly: p.readOnly, ssh: sshView(p), tags: p.tags };
}

/** `--ssh USER@HOST[:PORT]` (also `USER@[v6]:PORT`); no user means the local user, as ssh does. */
function parseSshFlag(value: string): { user: string; host: string; port: number } {
  const at = value.lastIndexOf('@');
  const user = at >= 0 ? value.slice(0, at) : os.userInfo().username;
  const rest = at >= 0 ? value.slice(at + 1) : value;
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  if (!match || !match[1] || user === '') throw new UsageError(`--ssh must look like USER@HOST[:PORT], got "${value}"`);
  const port = match[2] === undefined ? 22 : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ssh port must be between 1 and 65535, got "${match[2] ?? ''}"`);
  return { user, host: match[1], port };
}

function sshSettingsFromFlags(ssh: string | undefined, key: string | undefined, knownHost: string | undefined): SshSettingsInput | null {
  if (ssh === undefined) {
    if (key !== undefined || knownHost !== undefined) throw new UsageError('--ssh-key and --ssh-known-host need --ssh USER@HOST[:PORT]');
    return null;
  }
  const { user, host, port } = parseSshFlag(ssh);
  // A pasted line that names another host, or a revoked key, is refused here (INVALID_INPUT).
  const hostKey = knownHost === undefined ? null : pinFromKnownHostsLine(knownHost, host, port);
  return { host, port, user, auth: key !== undefined ? 'key' : 'agent', keyPath: key ?? null, agentSocket: null, hostKey };
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
    sshSettings: p.ssh,
    hasSecret: p.hasSecret,
    hasSshSecret: p.hasSshSecret,
    ...storageView(p),
    ...breakGlassView(p),
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
    ...STORAGE_FLAGS,
    ...BREAK_GLASS_FLAGS,
    tag: { type: 'list' },
  });
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.add);
  const url = stringFlag(parsed, 'url');
  if (!url) throw new UsageError(`--url is required\nusage: ${USAGE.add}`);
  const env = stringFlag(parsed, 'env');
  if (env !== undefined && !(ENVIRONMENTS as readonly string[]).includes(env)) {
    throw new UsageError(`--env must be one of ${ENVIRONMENTS.join(', ')}, got "${env}"`);
  }
  if (boolFlag(parsed, 'read-only') && boolFlag(parsed, 'read-write')) throw new UsageError('--read-only and --read-write exclude each other');
  const ssh = sshSettingsFromFlags(stringFlag(parsed, 'ssh'), stringFlag(parsed, 'ssh-key'), stringFlag(parsed, 'ssh-known-host'));
  const draft = await ctx.call('parseProfileUri', { uri: url });
  const storage = storageFromFlags(parsed, draft.storageHint);
  if (draft.password !== undefined) {
    throw new UsageError('passwords are never accepted on the command line: remove it from --url and keep it in ~/.pgpass (or PGPASSWORD)');
  }
  const input: ProfileInput = {
    ...(draft.fields as ProfileInput),
    name: name!,
    ...(env ? { env: env as Environment } : {}),
    ...(boolFlag(parsed, 'read-only') ? { readOnly: true } : {}),
    ...(boolFlag(parsed, 'read-write') ? { readOnly: false } : {}),
    ...(ssh ? { ssh } : {}),
    ...(storage ? { storage } : {}),
  };
  const timeout = intFlag(parsed, 'statement-timeout', { min: 0, max: 86_400_000 });
  if (timeout !== undefined) input.statementTimeoutMs = timeout;
  const cert = stringFlag(parsed, 'sslrootcert');
  if (cert !== undefined) input.sslRootCert = cert;
  const breakGlass = await breakGlassFromFlags(ctx, parsed);
  if (breakGlass) input.breakGlassUser = breakGlass.breakGlassUser;
  // Checked by the contract (INVALID_INPUT names the bad tag); lowercased and deduplicated there.
  const tags = listFlag(parsed, 'tag');
  if (tags.length > 0) input.tags = tags;
  const profile = await ctx.call('createProfile', {
    profile: input,
    ...(breakGlass?.breakGlassSecret ? { breakGlassSecret: breakGlass.breakGlassSecret } : {}),
  });
  for (const warning of draft.warnings) ctx.io.err(`warning: ${warning}`);
  if (ctx.io.json) printJson(ctx.io, { ok: true, ...detailedView(profile), warnings: draft.warnings });
  else {
    const via = profile.ssh ? ` via SSH ${sshView(profile) ?? ''}` : '';
    ctx.io.out(
      `Added profile "${profile.name}" (${profile.env}${profile.readOnly ? ', read-only' : ''}): ${profile.user}@${profile.host}:${profile.port}/${profile.database}${via}`,
    );
    if (profile.ssh && !profile.ssh.hostKey) {
      ctx.io.out(`The SSH host key is not pinned yet: run \`ops-console profile test ${profile.name}\` on a terminal to see and trust its fingerprint.`);
    }
  }
  return 0;
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  expectPositionals(parsed, [], USAGE.list);
  const profiles = await ctx.call('listProfiles', {});
  if (ctx.io.json) printJson(ctx.io, { profiles: profiles.map(profileView) });
  else if (profiles.length === 0)
    ctx.io.out('No profiles yet. Add one with `ops-console profile add NAME --url postgres://user@host/db`, or start the demo: `ops-console sandbox start`.');
  else
    ctx.io.out(
      table(
        profiles.map((p) => ({ ...profileView(p), readOnly: p.readOnly ? 'yes' : 'no', tags: p.tags.join(',') })),
        ['name', 'env', 'host', 'port', 'database', 'user', 'readOnly', 'ssh', 'tags'],
      ),
    );
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

type TestInput = { id: string; password?: string; sshSecret?: string; jumpSecret?: string };

/**
 * On a terminal, asks what the SSH stages need: trust for a first-contact host key (then
 * pins it, audited), a key passphrase or SSH password. Returns the next input to retry
 * with, or null when there is nothing to ask. Without a terminal an unpinned key refuses.
 */
async function resolveSshNeeds(
  ctx: CliContext,
  profile: Profile,
  result: ConnectionTestResult & { sshFailure?: { cause: string; hop?: string } },
  input: TestInput,
): Promise<TestInput | null> {
  const decision = result.hostKey;
  if (decision?.status === 'unknown') {
    const where = `${decision.hop === 'jump' ? 'SSH jump host' : 'SSH bastion'} ${decision.host}:${decision.port}`;
    if (!ctx.io.isTerminal) {
      throw new OpsError(
        'CONNECTION_FAILED',
        `The host key of the ${where} is not pinned (it presented ${decision.presented.type} ${decision.presented.fingerprint}). ` +
          `Without a terminal nothing is trusted: verify the key with the server's administrator and recreate the profile with --ssh-known-host "LINE".`,
      );
    }
    ctx.io.err(`The ${where} presented a host key this profile does not trust yet:\n  ${decision.presented.type} ${decision.presented.fingerprint}`);
    if (decision.knownHosts) ctx.io.err('  (your ~/.ssh/known_hosts lists exactly this key for the host)');
    await confirm(ctx.io, { question: 'Trust this host key?', yes: false, production: false, profileName: profile.name });
    await ctx.call('trustHostKey', { id: profile.id, hop: decision.hop, pin: decision.presented, replace: false });
    ctx.io.err(`Pinned ${decision.presented.fingerprint}; testing again.`);
    return input;
  }
  const cause = result.sshFailure?.cause;
  if (!ctx.io.isTerminal || (cause !== 'passphrase-required' && cause !== 'passphrase-wrong' && cause !== 'password-required')) return null;
  const jump = result.sshFailure?.hop === 'jump';
  const hop = jump ? profile.ssh?.jump : profile.ssh;
  if (!hop) return null;
  const what = hop.auth === 'key' ? `Passphrase for the SSH key ${hop.keyPath ?? ''}: ` : `SSH password for ${hop.user}@${hop.host}:${hop.port}: `;
  const secret = await promptSecret(ctx.io, what);
  if (!secret) return null;
  return jump ? { ...input, jumpSecret: secret } : { ...input, sshSecret: secret };
}

async function test(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.test);
  let profile = await findProfile(ctx, name!);
  let input: TestInput = { id: profile.id };
  let result = await ctx.call('testProfile', input);
  // At most a few rounds: trust a key, then a passphrase, then the database password.
  for (let round = 0; round < 3 && !result.ok; round += 1) {
    const next = await resolveSshNeeds(ctx, profile, result, input);
    if (!next) break;
    input = next;
    profile = await findProfile(ctx, profile.name);
    result = await ctx.call('testProfile', input);
  }
  const auth = result.stages.find((s) => s.name.toLowerCase().startsWith('auth'));
  // Only a person at a terminal is asked; scripts rely on ~/.pgpass or PGPASSWORD.
  if (!result.ok && auth && !auth.ok && /password/i.test(auth.error ?? '')) {
    const password = await promptPassword(ctx.io, `${profile.user}@${profile.host}:${profile.port}`);
    if (password) result = await ctx.call('testProfile', { ...input, password });
  }
  if (result.hostKey?.status === 'mismatch' || result.hostKey?.status === 'revoked') ctx.io.err(result.hostKey.message);
  if (ctx.io.json) {
    printJson(ctx.io, {
      ok: result.ok,
      serverVersion: result.serverVersion ?? null,
      stages: result.stages.map((s) => ({
        name: s.name,
        ok: s.ok,
        ms: s.ms,
        ...(s.detail ? { detail: s.detail } : {}),
        ...(s.error ? { error: s.error } : {}),
      })),
      ...(result.hostKey
        ? { hostKey: { ...result.hostKey, presented: { type: result.hostKey.presented.type, fingerprint: result.hostKey.presented.fingerprint } } }
        : {}),
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
    case 'edit':
      return editProfile(ctx, rest, (name) => findProfile(ctx, name));
    case 'test-storage':
      return testStorage(ctx, rest, (name) => findProfile(ctx, name));
    default:
      throw new UsageError(`unknown profile command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
  }
}
