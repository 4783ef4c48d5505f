// Imports one `Host` from ~/.ssh/config so the tunnel settings match what `ssh ALIAS` does:
// OpenSSH's evaluation order (first obtained value wins, Host patterns with `!`, Include in
// place), and warnings for what we deliberately do not evaluate (Match, ProxyCommand).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';
import { matchPattern } from './match-pattern';
import { parseSshConfig, type SshConfigDirective } from './ssh-config-parse';

export { parseSshConfig, type SshConfigDirective } from './ssh-config-parse';

export interface ResolvedSshHost {
  alias: string;
  hostName: string;
  user: string;
  port: number;
  /** Only the IdentityFile lines that apply, expanded; empty → the caller uses the agent/defaults. */
  identityFiles: string[];
  proxyJump: string | null;
  serverAliveInterval: number | null;
  warnings: string[];
  /** Config files read, in order (Include targets included). */
  files: string[];
}

export interface ResolveSshHostOptions {
  /** Config file to read; defaults to ~/.ssh/config. */
  file?: string;
  /** Config text instead of a file (Include paths still resolve against ~/.ssh). */
  text?: string;
  /** HOME and USER for ~, %d, %u and the default user; defaults to the process environment. */
  env?: Record<string, string | undefined>;
  /**
   * Default true: an alias no `Host` line names (other than `Host *`) is NOT_FOUND, since
   * it is almost always a typo. False resolves any host name like `ssh` does.
   */
  requireHostEntry?: boolean;
}

const MAX_INCLUDE_DEPTH = 16; // OpenSSH's READCONF_MAX_DEPTH

interface Settings {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** ProxyJump and ProxyCommand share one slot: whichever comes first wins, as in OpenSSH. */
  proxy?: { kind: 'jump' | 'command'; value: string; where: string };
  serverAliveInterval?: number;
}

interface Walk {
  alias: string;
  home: string;
  settings: Settings;
  warnings: string[];
  files: string[];
  namedMatch: boolean;
  hostNames: Set<string>;
}

function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  return p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** glob(3) for `*` and `?` in any path segment; sorted, hidden files only when asked for. */
function globFiles(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : (parts[0] ?? '')];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    if (!/[*?]/.test(part)) {
      bases = bases.map((b) => path.join(b, part));
      continue;
    }
    const next: string[] = [];
    for (const base of bases) {
      let names: string[];
      try {
        names = fs.readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (matchPattern(name, part)) next.push(path.join(base, name));
      }
    }
    bases = next;
  }
  return bases.filter((p) => fs.existsSync(p)).sort();
}

function hostLineMatches(alias: string, patterns: readonly string[]): { active: boolean; named: boolean } {
  let active = false;
  let named = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    // Case-sensitive on the alias as typed: `ssh -G` does the same.
    if (matchPattern(alias, pattern)) {
      if (negated) return { active: false, named: false };
      active = true;
      if (pattern !== '*') named = true;
    }
  }
  return { active, named };
}

function parsePort(value: string, where: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new OpsError('INVALID_INPUT', `${where}: Port "${value}" is not a port number (1-65535).`);
  return n;
}

/** OpenSSH convtime(): plain seconds or units like 30s, 5m, 1h30m. */
function parseInterval(value: string, where: string): number {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /(\d+)([smhdw]?)/giy;
  let pos = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += Number(m[1]) * (units[(m[2] ?? '').toLowerCase()] ?? 1);
    pos = re.lastIndex;
  }
  if (value === '' || pos !== value.length) throw new OpsError('INVALID_INPUT', `${where}: ServerAliveInterval "${value}" is not a time (e.g. 30 or 1m).`);
  return total;
}

function applyOption(d: SshConfigDirective, where: string, walk: Walk): void {
  const s = walk.settings;
  const value = d.args[0] ?? '';
  switch (d.keyword) {
    case 'hostname':
      s.hostName ??= value;
      break;
    case 'user':
      s.user ??= value;
      break;
    case 'port':
      s.port ??= parsePort(value, where);
      break;
    case 'identityfile':
      // IdentityFile accumulates instead of first-wins: every applicable key is tried.
      s.identityFiles.push(value);
      break;
    case 'proxyjump':
      s.proxy ??= { kind: 'jump', value, where };
      break;
    case 'proxycommand':
      s.proxy ??= { kind: 'command', value: d.args.join(' '), where };
      break;
    case 'serveraliveinterval':
      s.serverAliveInterval ??= parseInterval(value, where);
      break;
    default:
      break;
  }
}

function walkFile(directives: SshConfigDirective[], source: string, startActive: boolean, neverMatch: boolean, depth: number, walk: Walk): void {
  let active = startActive;
  for (const d of directives) {
    const where = `${source} line ${d.line}`;
    if (d.keyword === 'host') {
      for (const p of d.args) if (!/[*?!]/.test(p)) walk.hostNames.add(p);
      if (neverMatch) {
        active = false;
        continue;
      }
      const m = hostLineMatches(walk.alias, d.args);
      active = m.active;
      if (m.named) walk.namedMatch = true;
    } else if (d.keyword === 'match') {
      if (neverMatch) active = false;
      else if (d.args.length === 1 && d.args[0]?.toLowerCase() === 'all') active = true;
      else {
        active = false;
        walk.warnings.push(`${where}: "Match ${d.args.join(' ')}" block skipped — Ops Console does not evaluate Match conditions; check its settings by hand.`);
      }
    } else if (d.keyword === 'include') {
      includeFiles(d, where, active, neverMatch, depth, walk);
    } else if (active) {
      applyOption(d, where, walk);
    }
  }
}

function includeFiles(d: SshConfigDirective, where: string, active: boolean, neverMatch: boolean, depth: number, walk: Walk): void {
  if (depth >= MAX_INCLUDE_DEPTH)
    throw new OpsError('INVALID_INPUT', `${where}: Include nested too deeply (more than ${MAX_INCLUDE_DEPTH} levels; is a file including itself?).`);
  for (const arg of d.args) {
    const expanded = expandTilde(arg, walk.home);
    const pattern = path.isAbsolute(expanded) ? expanded : path.join(walk.home, '.ssh', expanded);
    const matches = globFiles(pattern);
    if (matches.length === 0) walk.warnings.push(`${where}: Include ${arg} matched no file.`);
    for (const file of matches) {
      const text = readConfigFile(file);
      walk.files.push(file);
      // Host lines inside an include of an inactive block must never switch it on.
      walkFile(parseSshConfig(text, file), file, active, neverMatch || !active, depth + 1, walk);
    }
  }
}

function readConfigFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new OpsError('NOT_FOUND', `SSH config file ${file} does not exist.`);
    throw new OpsError('INVALID_INPUT', `Cannot read SSH config file ${file}: ${(err as Error).message}`);
  }
}

const TOKEN = /%(.)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandTokens(value: string, tokens: Record<string, string>, env: Record<string, string | undefined>, where: string, warnings: string[]): string {
  return value.replace(TOKEN, (whole, token: string | undefined, name: string | undefined) => {
    if (token !== undefined) {
      const t = tokens[token];
      if (t !== undefined) return t;
      warnings.push(`${where}: token "%${token}" is not supported here; left as written.`);
      return whole;
    }
    const v = name === undefined ? undefined : env[name];
    if (v !== undefined) return v;
    warnings.push(`${where}: environment variable \${${name ?? ''}} is not set; left as written.`);
    return whole;
  });
}

/** Resolves `ssh ALIAS` to the settings a tunnel needs, or explains why it cannot. */
export function resolveSshHost(alias: string, opts: ResolveSshHostOptions = {}): ResolvedSshHost {
  const env = opts.env ?? process.env;
  const home = env.HOME ?? os.homedir();
  const localUser = env.USER ?? env.LOGNAME ?? os.userInfo().username;
  if (alias.trim() === '' || /\s/.test(alias)) throw new OpsError('INVALID_INPUT', `SSH host alias "${alias}" must be a single word like "db-bastion".`);
  const file = opts.file ?? path.join(home, '.ssh', 'config');
  const source = opts.text !== undefined ? 'SSH config' : file;
  const text = opts.text ?? readConfigFile(file);
  const walk: Walk = {
    alias,
    home,
    settings: { identityFiles: [] },
    warnings: [],
    files: opts.text === undefined ? [file] : [],
    namedMatch: false,
    hostNames: new Set(),
  };
  walkFile(parseSshConfig(text, source), source, true, false, 0, walk);

  if (!walk.namedMatch && opts.requireHostEntry !== false) {
    const known = [...walk.hostNames].slice(0, 20).join(', ');
    throw new OpsError(
      'NOT_FOUND',
      `No "Host" entry in ${source} matches "${alias}".` + (known === '' ? ' The file defines no hosts.' : ` Hosts defined: ${known}.`),
    );
  }
  const s = walk.settings;
  const hostName = expandTokens(s.hostName ?? '%h', { h: alias, '%': '%' }, {}, 'HostName', walk.warnings).toLowerCase();
  const user = s.user ?? localUser;
  const port = s.port ?? 22;
  const tokens: Record<string, string> = { '%': '%', d: home, u: localUser, h: hostName, r: user, p: String(port), n: alias };
  const identityFiles = s.identityFiles
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandTokens(expandTilde(f, home), tokens, env, `IdentityFile ${f}`, walk.warnings));
  let proxyJump: string | null = null;
  if (s.proxy?.kind === 'jump' && s.proxy.value.toLowerCase() !== 'none') proxyJump = s.proxy.value;
  if (s.proxy?.kind === 'command' && s.proxy.value.toLowerCase() !== 'none') {
    walk.warnings.push(`${s.proxy.where}: ProxyCommand is not supported (only ProxyJump); the tunnel would connect directly.`);
  }
  return {
    alias,
    hostName,
    user,
    port,
    identityFiles,
    proxyJump,
    serverAliveInterval: s.serverAliveInterval ?? null,
    warnings: walk.warnings,
    files: walk.files,
  };
}
