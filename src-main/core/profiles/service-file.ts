// The libpq connection service file (~/.pg_service.conf or PGSERVICEFILE): INI sections
// of key=value pairs. Each section becomes a profile draft the user can review and save.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { ProfileDraft, ProfileFields } from '../../contract/models';
import { importError, parseOptions, parsePort, parseSslMode } from './uri';
import { applySupabaseHints } from './supabase';

export interface ServiceEntry {
  name: string;
  draft: ProfileDraft;
}

/** PGSERVICEFILE wins, then ~/.pg_service.conf, as libpq does (the system-wide file is not read). */
export function defaultServiceFilePath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const fromEnv = env.PGSERVICEFILE;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : path.join(home, '.pg_service.conf');
}

function profileNameFor(service: string): string | undefined {
  const cleaned = service
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned.length > 0 ? cleaned : undefined;
}

interface Section {
  name: string;
  values: Map<string, string>;
  line: number;
}

function splitSections(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      if (!line.endsWith(']') || line.length < 3) throw importError('serviceFile', `line ${lineNo}: a section header must look like [name]`);
      current = { name: line.slice(1, -1).trim(), values: new Map(), line: lineNo };
      sections.push(current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw importError('serviceFile', `line ${lineNo}: expected key=value, found "${line.slice(0, 60)}"`);
    if (current === null) throw importError('serviceFile', `line ${lineNo}: "${line.slice(0, eq).trim()}" appears before any [service] header`);
    (current as Section).values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  });
  return sections;
}

function sectionToDraft(section: Section): ProfileDraft {
  const fields: Partial<ProfileFields> = {};
  const warnings: string[] = [];
  const draft: ProfileDraft = { fields, warnings };
  const where = `service ${section.name}`;
  let sslmodeGiven = false;
  for (const [key, value] of section.values) {
    switch (key) {
      case 'host':
      case 'hostaddr':
        if (value.includes(',')) warnings.push(`${key} lists several hosts; only the first is used.`);
        if (key === 'host' || fields.host === undefined) fields.host = value.split(',')[0]!.trim();
        break;
      case 'port':
        fields.port = parsePort(value.split(',')[0]!.trim(), where);
        break;
      case 'dbname':
        fields.database = value;
        break;
      case 'user':
        fields.user = value;
        break;
      case 'password':
        draft.password = value;
        warnings.push('The service file holds a plaintext password; keep it in the secret store or ~/.pgpass instead.');
        break;
      case 'sslmode':
        fields.sslmode = parseSslMode(value, where);
        sslmodeGiven = true;
        break;
      case 'sslrootcert':
        fields.sslRootCert = value;
        break;
      case 'options':
        parseOptions(value, fields, warnings);
        break;
      default:
        warnings.push(`Ignored setting "${key}".`);
    }
  }
  if (fields.host === undefined) warnings.push('No host: libpq would use the local Unix socket; enter the host.');
  if (fields.port === undefined && fields.host !== undefined) fields.port = 5432;
  if (fields.database === undefined && fields.user !== undefined) fields.database = fields.user;
  const name = profileNameFor(section.name);
  if (name) fields.name = name;
  applySupabaseHints(draft, sslmodeGiven);
  return draft;
}

export function parseServiceFile(text: string): ServiceEntry[] {
  return splitSections(text).map((section) => ({ name: section.name, draft: sectionToDraft(section) }));
}

export function readServiceFile(filePath?: string, env: NodeJS.ProcessEnv = process.env): { path: string; services: ServiceEntry[] } {
  const resolved = path.resolve(filePath ?? defaultServiceFilePath(env));
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new OpsError('NOT_FOUND', `No service file at ${resolved} (create ~/.pg_service.conf or set PGSERVICEFILE)`, { path: resolved });
    }
    if (code === 'EISDIR') throw importError('path', `${resolved} is a directory, not a service file`);
    if (code === 'EACCES' || code === 'EPERM') throw importError('path', `cannot read ${resolved}: permission denied`);
    throw importError('path', `cannot read ${resolved}: ${(err as Error).message}`);
  }
  return { path: resolved, services: parseServiceFile(text) };
}
