// Issue #14 §1–2, as an attacker would try them against a real PostgreSQL: make the server
// run a statement the parser never judged, or hide a write inside a statement that looks
// like a read. Each test asserts the refusal (or the prompt) and that nothing happened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { loadParser, planScriptSync } from '../../src-main/core/platform/guard/statements/classify';
import { executeStatements } from '../../src-main/core/query/run';
import { queryServiceFor } from '../../src-main/core/query/service';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
const ids: Record<string, string> = {};
const { ok, fail } = callsOn(() => core);

const run = (profile: string, sql: string, extra: Record<string, unknown> = {}) => ok<QueryRunResult>('runQuery', { profileId: ids[profile], sql, ...extra });
const attempt = (profile: string, sql: string, extra: Record<string, unknown> = {}) => fail('runQuery', { profileId: ids[profile], sql, ...extra });
const rows = async () => withClient(pg, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n, database);

beforeAll(async () => {
  await loadParser();
  database = await createTestDatabase(pg, uniqueDatabaseName('guard_attacks'));
  await withClient(
    pg,
    (c) =>
      c.query(`
        CREATE TABLE t (id int PRIMARY KEY, v text);
        INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 5) g;
        -- Declared STABLE but changes a pinned setting: the catalog believes it, the session must not.
        CREATE FUNCTION scs_off() RETURNS text LANGUAGE sql STABLE AS $$ SELECT set_config('standard_conforming_strings', 'off', false) $$;
        -- Default VOLATILE: a user function hiding what it does.
        CREATE FUNCTION end_sessions(app text) RETURNS bigint LANGUAGE sql AS $$ SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = app $$;
        CREATE VIEW killer AS SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'victim';
        CREATE VIEW killer_outer AS SELECT * FROM killer;
        CREATE FUNCTION touch_log() RETURNS boolean LANGUAGE sql AS $$ SELECT pg_notify('audit', 'read') IS NOT NULL $$;
        CREATE TABLE secured (id int, v text);
        ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
        ALTER TABLE secured FORCE ROW LEVEL SECURITY;
        CREATE POLICY p ON secured USING (touch_log());
        CREATE DOMAIN noisy AS text CHECK (touch_log());
        CREATE FUNCTION atomic_kill() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'victim'; END;
        -- PL/pgSQL declared STABLE that ends sessions anyway: statically, by a literal EXECUTE, by a built one.
        CREATE FUNCTION plpgsql_perform() RETURNS int LANGUAGE plpgsql STABLE AS $f$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'; RETURN 1; END $f$;
        CREATE FUNCTION plpgsql_literal() RETURNS int LANGUAGE plpgsql STABLE AS $f$ BEGIN EXECUTE 'SELECT pg_terminate_backend(0)'; RETURN 1; END $f$;
        CREATE FUNCTION plpgsql_built(fn text) RETURNS int LANGUAGE plpgsql STABLE AS $f$ BEGIN EXECUTE format('SELECT %s(0)', fn); RETURN 1; END $f$;
        CREATE FUNCTION plpgsql_reads() RETURNS bigint LANGUAGE plpgsql STABLE AS $f$ DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM t' INTO n; RETURN n + (SELECT count(*) FROM pg_stat_activity); END $f$;
      `),
    database,
  );
  ({ core, home } = newTestCore('ops-guard-'));
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable' };
  for (const [name, extra] of Object.entries<Partial<ProfileInput>>({
    dev: { env: 'development', readOnly: false },
    prod: { env: 'production', readOnly: false },
  })) {
    ids[name] = (await ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: pg.password })).id;
  }
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('one statement judged = one statement run (§1)', () => {
  it('refuses the standard_conforming_strings smuggle on a writable profile; nothing is deleted', async () => {
    const error = await attempt('dev', "SET standard_conforming_strings = off; SET application_name = 'x\\''; DELETE FROM t; --'");
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/standard_conforming_strings is pinned/);
    expect(await rows()).toBe(5);
    for (const sql of ["SELECT set_config('standard_conforming_strings', 'off', false)", "SET client_encoding = 'SJIS'", 'RESET standard_conforming_strings']) {
      expect((await attempt('dev', sql)).code, sql).toBe('INVALID_INPUT');
    }
  });

  it('closes the session when something the guard believed changed a pinned setting anyway', async () => {
    // scs_off() is declared STABLE, so it runs; the server reports the change, and the
    // statement after it, which an off-reading server would see as SELECT + DELETE, is never sent.
    const res = await run('dev', "SELECT scs_off(); SELECT 'a\\'' , 1 AS x --'");
    expect(res.statements[0]!.error).toBeUndefined();
    expect(res.statements[1]!.error?.message).toMatch(/standard_conforming_strings is now "off"/);
    expect(await rows()).toBe(5);
    // A fresh connection, pinned again, runs the next script.
    const next = await run('dev', "SELECT current_setting('standard_conforming_strings') AS scs");
    expect(next.statements[0]!.rows).toEqual([['on']]);
  });

  it('refuses Explain after an attempt to turn standard strings off, and Explain sends one statement', async () => {
    expect((await attempt('dev', 'SET standard_conforming_strings = off')).code).toBe('INVALID_INPUT');
    const error = await fail('explainQuery', { profileId: ids.dev, sql: 'SET standard_conforming_strings = off', analyze: false });
    expect(error.code).toBe('INVALID_INPUT');
    const plan = await ok<{ plan: { nodeType: string } }>('explainQuery', { profileId: ids.dev, sql: "SELECT 'a\\' AS s", analyze: false });
    expect(plan.plan.nodeType).toBe('Result');
  });

  it('sends every statement alone: a text holding two statements is refused by the server, not run', async () => {
    // As if the parser and the server disagreed about where a statement ends: the extended
    // protocol makes the server refuse the second statement instead of running it.
    const service = queryServiceFor(core.deps);
    const profile = core.deps.profiles.require(ids.dev!);
    const [plan] = planScriptSync('SELECT 1');
    const forged = { ...plan!, sql: 'SELECT 1; DELETE FROM t' };
    const results = await service.exclusive(profile, undefined, {}, (session) =>
      executeStatements(session, [forged], { maxRows: 10, collect: true, readOnly: false, profileName: 'dev' }),
    );
    expect(results[0]!.error?.sqlstate).toBe('42601');
    expect(results[0]!.error?.message).toMatch(/multiple commands/);
    expect(await rows()).toBe(5);
  });
});

describe('nested and indirect statements are judged from the parse tree and the catalog (§2)', () => {
  const marker = path.join(os.tmpdir(), `ops-guard-${process.pid}-pwned`);

  it('blocks COPY … TO PROGRAM and COPY … TO a server file unless overridden; nothing is written', async () => {
    for (const sql of [`COPY t TO PROGRAM 'touch ${marker}'`, `COPY (SELECT 1) TO '${marker}'`]) {
      const error = await attempt('dev', sql);
      expect(error.code, sql).toBe('CONFIRMATION_REQUIRED');
      expect((error.detail as { reason: string }).reason).toBe('blocked');
      expect(error.message).toMatch(/database server/);
    }
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('judges the statement inside COPY ( … ), a CTE and PREPARE like the statement itself', async () => {
    for (const sql of [
      'COPY (DELETE FROM t RETURNING *) TO STDOUT',
      'WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone',
      'PREPARE wipe AS DELETE FROM t',
    ]) {
      const error = await attempt('dev', sql);
      expect(error.code, sql).toBe('CONFIRMATION_REQUIRED');
      expect(error.message, sql).toMatch(/without WHERE/);
    }
    for (const sql of [
      'COPY (DELETE FROM t WHERE id = 1 RETURNING *) TO STDOUT',
      'WITH gone AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM gone',
      'PREPARE one AS DELETE FROM t WHERE id = 1',
    ]) {
      const error = await attempt('prod', sql);
      expect(error.code, sql).toBe('CONFIRMATION_REQUIRED');
      expect((error.detail as { reason: string }).reason, sql).toBe('production');
    }
    expect(await rows()).toBe(5);
  });

  it('judges EXECUTE by what was prepared on the session, and an unseen name as a write', async () => {
    await run('prod', 'PREPARE look AS SELECT count(*) FROM t');
    expect((await run('prod', 'EXECUTE look')).statements[0]!.rows).toEqual([['5']]);
    // Prepared on production after the typed name: running it again needs the name again.
    await run('prod', 'PREPARE drop_one AS DELETE FROM t WHERE id = 5', { confirmName: 'prod' });
    expect((await attempt('prod', 'EXECUTE drop_one')).code).toBe('CONFIRMATION_REQUIRED');
    expect((await attempt('prod', 'EXECUTE never_prepared_here')).code).toBe('CONFIRMATION_REQUIRED');
    expect((await attempt('prod', 'DEALLOCATE look; EXECUTE look')).code).toBe('CONFIRMATION_REQUIRED');
    expect(await rows()).toBe(5);
  });

  it('judges a cursor by its query: DECLARE … pg_terminate_backend needs the name, FETCH of an unseen cursor too', async () => {
    await withVictim(async (victim) => {
      const error = await attempt('prod', `BEGIN; DECLARE c CURSOR FOR SELECT pg_terminate_backend(${victim}); FETCH c; COMMIT`);
      expect(error.code).toBe('CONFIRMATION_REQUIRED');
      expect((error.detail as { statements: Array<{ effects?: string[] }> }).statements[1]!.effects?.[0]).toMatch(/pg_terminate_backend/);
      expect((await attempt('prod', 'FETCH 1 FROM somebody_elses')).code).toBe('CONFIRMATION_REQUIRED');
    });
  });

  it('counts every volatile function as a possible write, whatever its name or schema', async () => {
    const service = queryServiceFor(core.deps);
    for (const sql of [
      "SELECT lo_from_bytea(0, '\\x00')",
      'SELECT lo_create(0)',
      "SELECT lo_put(1, 0, '\\x00')",
      'SELECT lowrite(0, $$x$$)',
      "SELECT pg_notify('c', 'x')",
      'SELECT pg_advisory_lock(42)',
      "SELECT pg_create_physical_replication_slot('s')",
      "SELECT end_sessions('victim')",
      'SELECT * FROM killer',
      'SELECT ended FROM public.killer_outer',
      'SELECT * FROM secured',
      "SELECT 'x'::noisy",
      'SELECT atomic_kill()',
      'SELECT plpgsql_perform()',
      'SELECT plpgsql_literal()',
      "SELECT plpgsql_built('pg_terminate_backend')",
      "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, false, '')",
      'SELECT nextval($$s$$)',
    ]) {
      const plan = await service.plan(ids.prod!, sql);
      expect(plan.needsConfirmation, sql).toBe(true);
      expect(plan.statements[0]!.kind, sql).toBe('write');
      expect(plan.statements[0]!.effects?.length, sql).toBeGreaterThan(0);
    }
  });

  it('a view hiding pg_terminate_backend cannot end a session without the typed name', async () => {
    await withVictim(async (victim) => {
      const error = await attempt('prod', 'SELECT * FROM killer_outer');
      expect(error.code).toBe('CONFIRMATION_REQUIRED');
      const effects = (error.detail as { statements: Array<{ effects?: string[] }> }).statements[0]!.effects ?? [];
      expect(effects.join(' ')).toMatch(/pg_terminate_backend\(pid integer, timeout bigint\) through public\.killer_outer/);
      const alive = await withClient(
        pg,
        async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [victim])).rows[0].n as number,
      );
      expect(alive).toBe(1);
    });
  });

  it('never prompts for plain reads on production, volatile clocks and sizes included', async () => {
    const service = queryServiceFor(core.deps);
    for (const sql of [
      'SELECT * FROM t WHERE id = 1',
      'SELECT count(*) FROM pg_stat_activity',
      'SELECT now(), clock_timestamp(), random(), gen_random_uuid(), pg_database_size(current_database())',
      "SELECT pg_size_pretty(pg_total_relation_size('t')), pg_blocking_pids(pg_backend_pid())",
      'SELECT * FROM pg_locks',
      'SELECT * FROM pg_stat_replication',
      "SELECT set_config('search_path', 'public', false)",
      'EXPLAIN ANALYZE SELECT * FROM t',
      'PREPARE r AS SELECT 1',
      'SELECT plpgsql_reads()',
      'BEGIN; DECLARE rc CURSOR FOR SELECT * FROM t; FETCH 2 FROM rc; COMMIT',
    ]) {
      const plan = await service.plan(ids.prod!, sql);
      expect(plan.needsConfirmation, sql).toBe(false);
    }
  });
});

/** A backend that waits, named 'victim', for tests that must show it survived. */
async function withVictim(fn: (pid: number) => Promise<void>): Promise<void> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database, application_name: 'victim' });
  await client.connect();
  client.on('error', () => undefined);
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await fn(pid);
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
