// The schema browser's core (issue #19) against the run's real PostgreSQL and real pg_dump:
// the tree paged and filtered on the server over a 2,000-table schema; one table with every
// kind of part (columns incl. identity/generated/defaults, indexes, constraints, a trigger,
// forced RLS with policies, grants) in a schema and table whose names are hostile
// (a doubled quote, a dot, pattern characters, unicode); its DDL equal to pg_dump's own;
// functions and types written from the catalog; everything read-only; and a Supabase-shaped
// database whose platform schemas are marked and whose RLS policies and grants show.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { ObjectDdl, ObjectPage, SchemaObjectDetails, SchemaTree } from '../../src-main/contract/schema';
import type { Core } from '../../src-main/core/app';
import pg from 'pg';
import { exactTablePattern, LOCK_WAIT_MS } from '../../src-main/core/schema/pg-dump-one';
import { UsageError } from '../../src-main/cli/args';
import { schemaCommand } from '../../src-main/cli/commands/schema';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { clientConfig, createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';

const execFileAsync = promisify(execFile);
const server = inject('pg');
let core: Core;
let home: string;
let db: string;
let profile: Profile;
const { ok, fail } = callsOn(() => core);

const WEIRD_SCHEMA = 'we"ird name';
const WEIRD_TABLE = 'Ünïcode tåble.*$';
const ROLE = `schema_browser_reader_${process.pid}`;
const q = quoteIdent;
const W = `${q(WEIRD_SCHEMA)}.${q(WEIRD_TABLE)}`;

/** 2,000 tables in one batch of statements: the schema the tree must page through. */
function bigSchemaSql(): string {
  const lines = ['CREATE SCHEMA big;'];
  for (let i = 1; i <= 2000; i += 1) lines.push(`CREATE TABLE big.t${String(i).padStart(4, '0')} (id int);`);
  return lines.join('\n');
}

const DETAIL_SQL = `
CREATE ROLE ${q(ROLE)} NOLOGIN;
CREATE SCHEMA ${q(WEIRD_SCHEMA)};
CREATE TABLE ${q(WEIRD_SCHEMA)}.parent (id int PRIMARY KEY);
CREATE TABLE ${W} (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  parent_id int REFERENCES ${q(WEIRD_SCHEMA)}.parent (id),
  price numeric(10,2) DEFAULT 0 CHECK (price >= 0),
  doubled numeric GENERATED ALWAYS AS (price * 2) STORED,
  "select" text
);
COMMENT ON TABLE ${W} IS 'hostile names, every part';
COMMENT ON COLUMN ${W}.email IS 'where receipts go';
CREATE INDEX "idx ""odd""" ON ${W} (lower(email));
CREATE FUNCTION ${q(WEIRD_SCHEMA)}.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "trg touch" BEFORE UPDATE ON ${W} FOR EACH ROW EXECUTE FUNCTION ${q(WEIRD_SCHEMA)}.touch();
ALTER TABLE ${W} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${W} FORCE ROW LEVEL SECURITY;
CREATE POLICY "own rows" ON ${W} FOR SELECT TO ${q(ROLE)} USING (email = current_user);
GRANT SELECT, UPDATE (email) ON ${W} TO ${q(ROLE)};
GRANT INSERT ON ${W} TO ${q(ROLE)} WITH GRANT OPTION;
CREATE VIEW ${q(WEIRD_SCHEMA)}.v AS SELECT id, email FROM ${W};
CREATE MATERIALIZED VIEW ${q(WEIRD_SCHEMA)}.mv AS SELECT 1 AS one;
CREATE SEQUENCE ${q(WEIRD_SCHEMA)}.seq START 42;
CREATE FUNCTION ${q(WEIRD_SCHEMA)}.add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
COMMENT ON FUNCTION ${q(WEIRD_SCHEMA)}.add(int, int) IS 'it''s addition';
CREATE FUNCTION ${q(WEIRD_SCHEMA)}.add(a text) RETURNS text LANGUAGE sql AS 'SELECT a';
CREATE PROCEDURE ${q(WEIRD_SCHEMA)}.noop() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE ${q(WEIRD_SCHEMA)}.total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
CREATE TYPE ${q(WEIRD_SCHEMA)}.mood AS ENUM ('sad', 'it''s ok', 'happy');
CREATE TYPE ${q(WEIRD_SCHEMA)}.pair AS (a int, "b c" text);
CREATE DOMAIN ${q(WEIRD_SCHEMA)}.posint AS int NOT NULL CHECK (VALUE > 0);
CREATE TYPE ${q(WEIRD_SCHEMA)}.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
`;

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-schema-'));
  db = await createTestDatabase(server, uniqueDatabaseName('schema_browser'));
  await withClient(
    server,
    async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${q(ROLE)}`);
      await c.query(bigSchemaSql());
      await c.query(DETAIL_SQL);
    },
    db,
  );
  profile = await ok<Profile>('createProfile', {
    profile: { name: 'schemas', host: server.host, port: server.port, user: server.user, database: db, sslmode: 'disable', env: 'production', readOnly: true },
    password: server.password,
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  if (db) await dropTestDatabase(server, db);
  await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${q(ROLE)}`));
});

async function tree(showSystem = false): Promise<SchemaTree> {
  return ok<SchemaTree>('getSchemaTree', { profileId: profile.id, showSystem });
}

async function find(schema: string, group: string, name: string): Promise<{ oid: number; kind: string }> {
  const s = (await tree()).schemas.find((x) => x.name === schema)!;
  const page = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: s.oid, group, filter: name, limit: 1000 });
  const hit = page.objects.find((o) => o.name === name);
  if (!hit) throw new Error(`${schema}.${name} not in ${group}`);
  return hit;
}

describe('the tree', () => {
  it('lists schemas with counts, hides system schemas unless asked, and lists extensions and roles', async () => {
    const t = await tree();
    const names = t.schemas.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['big', 'public', WEIRD_SCHEMA]));
    expect(names).not.toContain('pg_catalog');
    expect(t.hiddenSystemSchemas).toBeGreaterThanOrEqual(3);
    const big = t.schemas.find((s) => s.name === 'big')!;
    expect(big.counts.tables).toBe(2000);
    const weird = t.schemas.find((s) => s.name === WEIRD_SCHEMA)!;
    // The identity column's sequence is the second sequence.
    expect(weird.counts).toEqual({ tables: 2, views: 1, 'materialized-views': 1, functions: 5, sequences: 2, types: 4 });
    expect(t.extensions.map((e) => e.name)).toContain('plpgsql');
    expect(t.roles.find((r) => r.name === ROLE)).toMatchObject({ login: false, superuser: false, memberOf: [] });
    const all = await tree(true);
    expect(all.schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['pg_catalog', 'information_schema', 'pg_toast']));
    expect(all.schemas.find((s) => s.name === 'pg_catalog')!.system).toBe(true);
  });

  it('pages a 2,000-table schema and filters it on the server', async () => {
    const big = (await tree()).schemas.find((s) => s.name === 'big')!;
    const first = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: big.oid, group: 'tables' });
    expect(first.total).toBe(2000);
    expect(first.objects).toHaveLength(500);
    expect(first.objects[0]!.name).toBe('t0001');
    expect(first.objects[0]).toMatchObject({ kind: 'table', bytes: expect.any(Number) });
    const last = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: big.oid, group: 'tables', offset: 1500, limit: 1000 });
    expect(last.objects).toHaveLength(500);
    expect(last.objects.at(-1)!.name).toBe('t2000');
    const filtered = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: big.oid, group: 'tables', filter: 'T199' });
    expect(filtered.total).toBe(10);
    expect(filtered.objects.map((o) => o.name)).toEqual(Array.from({ length: 10 }, (_, i) => `t199${i}`));
    // % and _ are plain characters in the filter, not LIKE wildcards.
    const none = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: big.oid, group: 'tables', filter: 't_0%' });
    expect(none.total).toBe(0);
  });

  it('lists functions with their signatures (overloads apart) and types of every kind', async () => {
    const weird = (await tree()).schemas.find((s) => s.name === WEIRD_SCHEMA)!;
    const fns = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: weird.oid, group: 'functions' });
    expect(fns.objects.map((o) => [o.name, o.kind, o.signature])).toEqual([
      ['add', 'function', 'a integer, b integer'],
      ['add', 'function', 'a text'],
      ['noop', 'procedure', ''],
      ['total', 'aggregate', 'integer'],
      ['touch', 'function', ''],
    ]);
    const types = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: weird.oid, group: 'types' });
    expect(types.objects.map((o) => [o.name, o.kind])).toEqual([
      ['floatrange', 'range'],
      ['mood', 'enum'],
      ['pair', 'composite'],
      ['posint', 'domain'],
    ]);
  });
});

describe('one object', () => {
  it('shows every part of a table with hostile names', async () => {
    const hit = await find(WEIRD_SCHEMA, 'tables', WEIRD_TABLE);
    const d = await ok<SchemaObjectDetails>('getSchemaObject', { profileId: profile.id, oid: hit.oid, kind: hit.kind });
    expect(d).toMatchObject({ schema: WEIRD_SCHEMA, name: WEIRD_TABLE, qualifiedName: W, comment: 'hostile names, every part', selectable: true });
    expect(d.columns.map((c) => c.name)).toEqual(['id', 'email', 'parent_id', 'price', 'doubled', 'select']);
    expect(d.columns[0]).toMatchObject({ type: 'integer', nullable: false, identity: 'always' });
    expect(d.columns[1]).toMatchObject({ type: 'text', comment: 'where receipts go' });
    expect(d.columns[3]).toMatchObject({ type: 'numeric(10,2)', default: '0' });
    expect(d.columns[4]).toMatchObject({ generated: 'stored', default: '(price * (2)::numeric)' });
    // The primary key first, then by name byte-wise (as pg_dump orders them).
    expect(d.indexes.map((i) => i.name)).toEqual([`${WEIRD_TABLE}_pkey`, 'idx "odd"', `${WEIRD_TABLE}_email_key`]);
    expect(d.indexes[0]).toMatchObject({ primary: true, unique: true, valid: true });
    expect(d.indexes[1]!.definition).toContain('lower(email)');
    expect(d.constraints.map((c) => c.type).sort()).toEqual(['check', 'foreign key', 'primary key', 'unique']);
    expect(d.constraints.find((c) => c.type === 'foreign key')!.definition).toBe(`FOREIGN KEY (parent_id) REFERENCES ${q(WEIRD_SCHEMA)}.parent(id)`);
    expect(d.triggers).toEqual([{ name: 'trg touch', enabled: true, definition: expect.stringContaining(`EXECUTE FUNCTION ${q(WEIRD_SCHEMA)}.touch()`) }]);
    expect(d.rls).toEqual({ enabled: true, forced: true });
    expect(d.policies).toEqual([
      { name: 'own rows', command: 'SELECT', permissive: true, roles: [ROLE], using: expect.stringContaining('CURRENT_USER'), withCheck: null },
    ]);
    const reader = d.grants.find((g) => g.grantee === ROLE)!;
    expect(reader.privileges).toEqual(['INSERT', 'SELECT']);
    expect(reader.grantable).toEqual(['INSERT']);
    expect(d.grants.find((g) => g.grantee === server.user)!.privileges).toContain('TRUNCATE');
  });

  it('answers NOT_FOUND for an OID that is gone', async () => {
    const err = await fail('getSchemaObject', { profileId: profile.id, oid: 4294967000, kind: 'table' });
    expect(err.code).toBe('NOT_FOUND');
  });

  it("gives a relation's DDL exactly as pg_dump writes it", async () => {
    const hit = await find(WEIRD_SCHEMA, 'tables', WEIRD_TABLE);
    const ddl = await ok<ObjectDdl>('getObjectDdl', { profileId: profile.id, oid: hit.oid, kind: hit.kind });
    expect(ddl).toMatchObject({ source: 'pg_dump', qualifiedName: W, toolVersion: expect.stringMatching(/^\d+\.\d+/) });
    expect(ddl.command).not.toContain(server.password);
    const { stdout } = await execFileAsync(
      path.join(server.binDir, 'pg_dump'),
      ['--schema-only', '-t', exactTablePattern(WEIRD_SCHEMA, WEIRD_TABLE), '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', db],
      { env: { ...process.env, PGPASSWORD: server.password, LC_MESSAGES: 'C' } },
    );
    // \restrict carries a random key per run (pg_dump 15.14+); everything else must be identical.
    const normalise = (s: string): string => s.replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict KEY');
    expect(normalise(ddl.ddl)).toBe(normalise(stdout));
    for (const part of [
      `CREATE TABLE ${W}`,
      'CREATE INDEX "idx ""odd"""',
      'CREATE TRIGGER "trg touch"',
      'CREATE POLICY "own rows"',
      'FORCE ROW LEVEL SECURITY',
      `GRANT SELECT ON TABLE ${W} TO ${ROLE};`,
      `COMMENT ON TABLE ${W} IS 'hostile names, every part'`,
    ]) {
      expect(ddl.ddl).toContain(part);
    }
    // Only the one table: the parent it references is not in it.
    expect(ddl.ddl).not.toContain(`CREATE TABLE ${q(WEIRD_SCHEMA)}.parent`);
  });

  it('dumps views, materialized views and sequences through pg_dump too', async () => {
    for (const [group, name, text] of [
      ['views', 'v', `CREATE VIEW ${q(WEIRD_SCHEMA)}.v AS`],
      ['materialized-views', 'mv', `CREATE MATERIALIZED VIEW ${q(WEIRD_SCHEMA)}.mv AS`],
      ['sequences', 'seq', `CREATE SEQUENCE ${q(WEIRD_SCHEMA)}.seq`],
    ] as const) {
      const hit = await find(WEIRD_SCHEMA, group, name);
      const ddl = await ok<ObjectDdl>('getObjectDdl', { profileId: profile.id, oid: hit.oid, kind: hit.kind });
      expect(ddl.source).toBe('pg_dump');
      expect(ddl.ddl).toContain(text);
    }
  });

  it('does not queue behind a lock: pg_dump gives up after its lock wait and says why', async () => {
    const hit = await find('big', 'tables', 't0001');
    const holder = new pg.Client(clientConfig(server, db));
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE big.t0001 IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const err = await fail('getObjectDdl', { profileId: profile.id, oid: hit.oid, kind: hit.kind });
      expect(err.code).toBe('BACKUP_FAILED');
      expect(err.message).toContain(`could not lock it within ${LOCK_WAIT_MS / 1000} s`);
      expect(Date.now() - started).toBeLessThan(LOCK_WAIT_MS + 5000);
    } finally {
      await holder.end();
    }
  });

  it('writes functions and types from the catalog, quoted by the server', async () => {
    const weird = (await tree()).schemas.find((s) => s.name === WEIRD_SCHEMA)!;
    const ddlOf = async (group: string, name: string, signature?: string): Promise<ObjectDdl> => {
      const page = await ok<ObjectPage>('listSchemaObjects', { profileId: profile.id, schemaOid: weird.oid, group, filter: name });
      const hit = page.objects.find((o) => o.name === name && (signature === undefined || o.signature === signature))!;
      return ok<ObjectDdl>('getObjectDdl', { profileId: profile.id, oid: hit.oid, kind: hit.kind });
    };
    const add = await ddlOf('functions', 'add', 'a integer, b integer');
    expect(add.source).toBe('catalog');
    expect(add.ddl).toContain(`CREATE OR REPLACE FUNCTION ${q(WEIRD_SCHEMA)}.add(a integer, b integer DEFAULT 1)`);
    expect(add.ddl).toContain(`ALTER FUNCTION ${q(WEIRD_SCHEMA)}.add(a integer, b integer) OWNER TO`);
    expect(add.ddl).toContain(`COMMENT ON FUNCTION ${q(WEIRD_SCHEMA)}.add(a integer, b integer) IS 'it''s addition';`);
    expect((await ddlOf('functions', 'noop')).ddl).toContain(`CREATE OR REPLACE PROCEDURE ${q(WEIRD_SCHEMA)}.noop()`);
    expect((await ddlOf('functions', 'total')).ddl).toContain(
      `CREATE AGGREGATE ${q(WEIRD_SCHEMA)}.total(integer) (\n    SFUNC = int4pl,\n    STYPE = integer,\n    INITCOND = '0'\n);`,
    );
    expect((await ddlOf('types', 'mood')).ddl).toContain(`CREATE TYPE ${q(WEIRD_SCHEMA)}.mood AS ENUM (\n    'sad',\n    'it''s ok',\n    'happy'\n);`);
    expect((await ddlOf('types', 'pair')).ddl).toContain(`CREATE TYPE ${q(WEIRD_SCHEMA)}.pair AS (\n\ta integer,\n\t"b c" text\n);`);
    expect((await ddlOf('types', 'posint')).ddl).toMatch(
      /CREATE DOMAIN "we""ird name"\.posint AS integer NOT NULL\n\tCONSTRAINT posint_check CHECK \(\(VALUE > 0\)\);/,
    );
    expect((await ddlOf('types', 'floatrange')).ddl).toContain('subtype = double precision,\n    subtype_diff = float8mi');
  });

  it('reads in a read-only transaction: the catalog queries leave no write behind, on a read-write profile too', async () => {
    const rw = await ok<Profile>('createProfile', {
      profile: {
        name: 'schemas-rw',
        host: server.host,
        port: server.port,
        user: server.user,
        database: db,
        sslmode: 'disable',
        env: 'development',
        readOnly: false,
      },
      password: server.password,
    });
    const before = await withClient(server, async (c) => (await c.query<{ xid: string }>('SELECT txid_current() AS xid')).rows[0]!.xid, db);
    await ok<SchemaTree>('getSchemaTree', { profileId: rw.id });
    const hit = await find(WEIRD_SCHEMA, 'tables', WEIRD_TABLE);
    await ok<SchemaObjectDetails>('getSchemaObject', { profileId: rw.id, oid: hit.oid, kind: hit.kind });
    const after = await withClient(server, async (c) => (await c.query<{ xid: string }>('SELECT txid_current() AS xid')).rows[0]!.xid, db);
    // txid_current itself took one id each time: the browser's reads took none.
    expect(Number(after) - Number(before)).toBe(1);
  });
});

describe('the command line', () => {
  async function run(...argv: string[]): Promise<Record<string, unknown>> {
    const cli = inProcessCli(
      () => core,
      () => home,
    );
    expect(await schemaCommand(cli.ctx, argv)).toBe(0);
    return JSON.parse(cli.out.join('\n')) as Record<string, unknown>;
  }

  it('lists schemas, all of a schema page after page, one object and its DDL by a quoted name', async () => {
    const schemas = (await run('schemas')).schemas as Array<{ name: string }>;
    expect(schemas.map((s) => s.name)).toContain('big');
    const big = (await run('schemas', '--schema', 'big')).objects as Array<{ name: string }>;
    expect(big).toHaveLength(2000);
    expect(big.at(-1)!.name).toBe('t2000');
    expect(((await run('schemas', '--schema', 'big', '--filter', 't200')).objects as unknown[]).length).toBe(1);
    const name = `${q(WEIRD_SCHEMA)}.${q(WEIRD_TABLE)}`;
    const details = await run('schemas', '--object', name);
    expect(details).toMatchObject({ kind: 'table', name: WEIRD_TABLE, rls: { enabled: true, forced: true } });
    const ddl = await run('schemas', '--object', name, '--ddl');
    expect(ddl).toMatchObject({ source: 'pg_dump', qualifiedName: W });
    expect(ddl.ddl).toContain(`CREATE TABLE ${W}`);
    expect((await run('schemas', '--object', `${q(WEIRD_SCHEMA)}.mood`, '--ddl')).source).toBe('catalog');
  });

  it('refuses unclear requests: --ddl alone, a bad name, an overloaded function', async () => {
    const cli = inProcessCli(
      () => core,
      () => home,
    );
    await expect(schemaCommand(cli.ctx, ['schemas', '--ddl'])).rejects.toThrow(UsageError);
    await expect(schemaCommand(cli.ctx, ['schemas', '--object', 'a.b.c'])).rejects.toThrow(UsageError);
    await expect(schemaCommand(cli.ctx, ['schemas', '--object', `${q(WEIRD_SCHEMA)}.add`])).rejects.toThrow(/2 objects are named "add"/);
  });
});

describe('a Supabase-shaped database', () => {
  let supa: SupabaseCluster;
  let sp: Profile;
  beforeAll(async () => {
    supa = await createSupabaseCluster('project');
    sp = await ok<Profile>('createProfile', {
      profile: { name: 'supa', host: supa.host, port: supa.port, user: supa.user, database: supa.database, sslmode: 'disable', env: 'staging', readOnly: true },
      password: supa.password,
    });
  }, 120_000);
  afterAll(async () => {
    await supa?.destroy();
  });

  it('marks the platform schemas and shows RLS policies and grants', async () => {
    const t = await ok<SchemaTree>('getSchemaTree', { profileId: sp.id });
    const byName = new Map(t.schemas.map((s) => [s.name, s]));
    for (const s of ['auth', 'storage', 'realtime', 'extensions', 'graphql']) expect(byName.get(s)?.platform, s).toBe(true);
    expect(byName.get('public')!.platform).toBe(false);
    expect(t.roles.find((r) => r.name === 'app_reporter')!.memberOf).toContain('authenticated');
    const page = await ok<ObjectPage>('listSchemaObjects', { profileId: sp.id, schemaOid: byName.get('public')!.oid, group: 'tables', filter: 'profiles' });
    const profiles = page.objects.find((o) => o.name === 'profiles')!;
    const d = await ok<SchemaObjectDetails>('getSchemaObject', { profileId: sp.id, oid: profiles.oid, kind: profiles.kind });
    expect(d.rls).toEqual({ enabled: true, forced: false });
    expect(d.policies.map((p) => [p.name, p.command])).toEqual([
      ['Public profiles are viewable by everyone.', 'SELECT'],
      ['Users can insert their own profile.', 'INSERT'],
      ['Users can update own profile.', 'UPDATE'],
    ]);
    expect(d.policies[1]!.withCheck).toContain('auth.uid()');
    // The platform's default privileges give the API roles more than the app's own GRANTs: both show.
    expect(d.grants.find((g) => g.grantee === 'anon')!.privileges).toContain('SELECT');
    expect(d.grants.find((g) => g.grantee === 'authenticated')!.privileges).toEqual(expect.arrayContaining(['INSERT', 'SELECT', 'UPDATE']));
  });
});
