// Issue #14 §5, end to end: SQL holding a password in each of its disguises is run in the
// query console against the real PostgreSQL (each statement fails harmlessly: the role,
// the extension or the server does not exist). Afterwards neither the audit trail, nor its
// full-text index, nor the query history, nor the store's bytes on disk hold the password.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditEntry, Profile, QueryHistoryEntry } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';

const pg = inject('pg');
let core: Core;
let home: string;
let profile: Profile;
const { call, ok } = callsOn(() => core);

/** [name, SQL, what the audit entry and history must show]. Every spelling decodes to (or contains) "Zebra7/Q@x:y"; "Zebr" is in each raw text. */
const ATTACKS: Array<[string, string, string]> = [
  ['unicode-escape string', `ALTER ROLE no_such_role_14 PASSWORD U&'Zebr\\0061\\+000037/Q@x:y'`, `ALTER ROLE no_such_role_14 PASSWORD '***'`],
  ['comment before the literal', `ALTER ROLE no_such_role_14 PASSWORD /* c */ 'Zebra7/Q@x:y'`, `ALTER ROLE no_such_role_14 PASSWORD /* c */ '***'`],
  ['dblink_connect conninfo', `SELECT dblink_connect('c1', 'host=127.0.0.1 port=1 password=Zebra7/Q@x:y')`, `SELECT dblink_connect('c1', '***')`],
  [
    'dblink conninfo',
    `SELECT * FROM dblink('host=127.0.0.1 port=1 password=Zebra7/Q@x:y', 'select 1') AS t(a int)`,
    `SELECT * FROM dblink('***', 'select 1') AS t(a int)`,
  ],
  ['URI with / in the password', `SELECT dblink_exec('postgres://u:Zebra7/Q@x:y@127.0.0.1:1/db', 'select 1')`, `SELECT dblink_exec('***', 'select 1')`],
  [
    'postgres_fdw user mapping',
    `CREATE USER MAPPING FOR CURRENT_USER SERVER no_such_server_14 OPTIONS (user 'u', password 'Zebra7/Q@x:y')`,
    `CREATE USER MAPPING FOR CURRENT_USER SERVER no_such_server_14 OPTIONS (user 'u', password '***')`,
  ],
];

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sec-redact-'));
  profile = await ok<Profile>('createProfile', {
    profile: { name: 'redact', host: pg.host, port: pg.port, database: pg.database, user: pg.user, sslmode: 'disable', env: 'development', readOnly: false },
    password: pg.password,
  });
  for (const [, sql] of ATTACKS) {
    const answer = await call('runQuery', { profileId: profile.id, sql });
    // Each one reached the server and failed there (so it was audited and kept in history).
    expect(answer.ok).toBe(true);
  }
});

afterAll(async () => {
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('a password typed in the console is stored nowhere', () => {
  it.each(ATTACKS)('%s: the audit entry shows *** instead', async (_name, _sql, shown) => {
    const { entries } = await ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'query.run', limit: 100 });
    expect(entries.map((e) => e.detail)).toContain(shown);
  });

  it('a full-text search of the audit trail for the password finds nothing (nor for the statements, which are there)', async () => {
    for (const word of ['Zebra7', 'Zebr', 'Zebra7/Q@x:y']) {
      const { entries } = await ok<{ entries: AuditEntry[] }>('searchAudit', { search: word, limit: 100 });
      expect(entries).toEqual([]);
    }
    const { entries } = await ok<{ entries: AuditEntry[] }>('searchAudit', { search: 'dblink_connect', limit: 100 });
    expect(entries.length).toBeGreaterThan(0);
  });

  it('the query history keeps every run, redacted', async () => {
    const { entries } = await ok<{ entries: QueryHistoryEntry[] }>('listQueryHistory', { profileId: profile.id, limit: 100 });
    expect(entries.map((e) => e.sql).sort()).toEqual(ATTACKS.map(([, , shown]) => shown).sort());
    expect((await ok<{ entries: QueryHistoryEntry[] }>('listQueryHistory', { search: 'Zebr', limit: 100 })).entries).toEqual([]);
  });

  it('the store files on disk (database and WAL) do not hold the password bytes', () => {
    const db = core.deps.store.db;
    db.pragma('wal_checkpoint(PASSIVE)');
    for (const file of [`${home}/ops-console.sqlite`, `${home}/ops-console.sqlite-wal`]) {
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from('Zebr')), file).toBe(false);
      expect(bytes.includes(Buffer.from('Q@x:y')), file).toBe(false);
    }
    // The statements themselves are in there: the search above is not vacuous.
    expect(fs.readFileSync(`${home}/ops-console.sqlite-wal`).includes(Buffer.from('no_such_role_14'))).toBe(true);
  });
});
