// Upgrade planning's pure parts (issue #23): the version judged against the release table at
// fixed dates, the extensions against the target major, the feature rules a jump crosses.
import { describe, expect, it } from 'vitest';
import { isSupabase, upgradePathRows } from '../../src-main/core/upgrade/checks';
import { judgeExtensions } from '../../src-main/core/upgrade/extensions';
import { FEATURE_RULES } from '../../src-main/core/upgrade/feature-rules';
import { judgeFeatures, rulesForJump, targetMajorFor } from '../../src-main/core/upgrade/features';
import { judgeVersion, monthsUntil, parseServerVersion } from '../../src-main/core/upgrade/policy';
import { RELEASES, RELEASES_AS_OF, type MajorRelease } from '../../src-main/core/upgrade/releases';

const at = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
const row = (r: { rows: Array<Array<unknown>> }, item: string): Array<unknown> | undefined => r.rows.find((x) => x[0] === item);

describe('parseServerVersion', () => {
  it('reads releases, packaged builds, pre-releases and pre-10 numbering', () => {
    expect(parseServerVersion('16.2')).toMatchObject({ major: 16, minor: 2, prerelease: null });
    expect(parseServerVersion('16.2 (Debian 16.2-1.pgdg120+2)')).toMatchObject({ major: 16, minor: 2, text: '16.2' });
    expect(parseServerVersion('19beta3')).toMatchObject({ major: 19, minor: null, prerelease: 'beta3' });
    expect(parseServerVersion('18devel')).toMatchObject({ major: 18, minor: null, prerelease: 'devel' });
    expect(parseServerVersion('17rc1')).toMatchObject({ major: 17, prerelease: 'rc1' });
    expect(parseServerVersion('9.6.24')).toMatchObject({ major: 9.6, minor: 24 });
    expect(parseServerVersion('PostgreSQL')).toBeNull();
    expect(parseServerVersion('')).toBeNull();
  });
});

describe('judgeVersion at fixed dates', () => {
  it('the latest minor of a supported major is OK, with months until end of life', () => {
    const r = judgeVersion('18.6', at('2026-09-01'));
    expect(r.status).toBe('ok');
    expect(r.value).toBe(monthsUntil('2030-11-14', at('2026-09-01')));
    expect(row(r, 'Latest minor of 18')?.[2]).toBe('up to date');
    expect(row(r, 'Release table')?.[1]).toBe(`as of ${RELEASES_AS_OF}`);
    expect(row(r, 'Next major')?.[1]).toBe('19 (beta)');
  });

  it('counts the minors behind', () => {
    const r = judgeVersion('16.2', at('2026-09-01'));
    expect(r.status).toBe('warning');
    expect(r.summary).toContain('13 minor releases behind 16.15');
    expect(row(r, 'Latest minor of 16')?.[2]).toContain('install 16.15');
  });

  it('end of life within 12 months is a WARNING, even on the latest minor', () => {
    // 14 ends 2026-11-12: about 3 months after this date.
    const r = judgeVersion('14.24', at('2026-08-14'));
    expect(r.status).toBe('warning');
    expect(r.value).toBe(2);
    expect(r.summary).toContain('end of life 2026-11-12');
    expect(row(r, 'End of life')?.[2]).toContain('under 12');
  });

  it('past end of life is CRITICAL (13 ended 2025-11-13; 14 on 2026-11-12)', () => {
    expect(judgeVersion('13.23', at('2026-08-14')).status).toBe('critical');
    const r = judgeVersion('14.24', at('2026-12-06'));
    expect(r.status).toBe('critical');
    expect(r.summary).toContain('past end of life since 2026-11-12');
    expect(r.value).toBeLessThanOrEqual(0);
  });

  it('a major older than the table is CRITICAL; one newer, or a release the table knows only as a beta, is UNKNOWN', () => {
    expect(judgeVersion('12.22', at('2026-09-01')).status).toBe('critical');
    expect(judgeVersion('9.6.24', at('2026-09-01')).status).toBe('critical');
    const future = judgeVersion('20.1', at('2026-09-01'));
    expect(future.status).toBe('unknown');
    expect(future.summary).toContain('does not know PostgreSQL 20');
    const ga = judgeVersion('19.0', at('2026-10-01'));
    expect(ga.status).toBe('unknown');
    expect(ga.summary).toContain('only as a beta');
  });

  it('a beta or devel build is a WARNING, not for production', () => {
    const beta = judgeVersion('19beta3', at('2026-09-01'));
    expect(beta.status).toBe('warning');
    expect(beta.summary).toContain('pre-release');
    const devel = judgeVersion('18devel', at('2026-09-01'));
    expect(devel.status).toBe('warning');
    expect(devel.summary).toContain('Move to 18.6');
  });

  it('an unreadable version is UNKNOWN', () => {
    expect(judgeVersion('EnterpriseDB', at('2026-09-01')).status).toBe('unknown');
  });

  it('a table older than about six months says it may be stale and raises OK to WARNING', () => {
    const fresh = judgeVersion('18.6', at('2026-12-06'));
    expect(fresh.status).toBe('ok');
    expect(row(fresh, 'Release table')?.[2]).not.toContain('stale');
    const old = judgeVersion('18.6', at('2027-06-01'));
    expect(old.status).toBe('warning');
    expect(old.summary).toContain('may be stale');
    expect(row(old, 'Release table')?.[2]).toContain('may be stale');
    // A server newer than the table's latest minor says so rather than counting negative minors.
    expect(row(judgeVersion('18.9', at('2026-09-01')), 'Latest minor of 18')?.[2]).toContain('table is older');
  });

  it('judges against the table it is given (the table is data, not code)', () => {
    const table: MajorRelease[] = [{ major: 30, firstRelease: '2037-09-01', endOfLife: '2042-11-01', latestMinor: 2, stage: 'released' }];
    const r = judgeVersion('30.1', at('2038-01-01'), { releases: table, asOf: '2037-12-01' });
    expect(r.status).toBe('warning');
    expect(r.summary).toContain('1 minor release behind 30.2');
  });

  it('the table holds 13 to 19, each released major with an end of life five years after its first release', () => {
    expect(RELEASES.map((r) => r.major).sort()).toEqual([13, 14, 15, 16, 17, 18, 19]);
    for (const r of RELEASES.filter((x) => x.stage === 'released')) {
      expect(Number(r.endOfLife!.slice(0, 4)) - Number(r.firstRelease!.slice(0, 4))).toBe(5);
    }
  });
});

describe('judgeExtensions', () => {
  const ext = (name: string, version = '1.0', defaultVersion: string | null = version) => ({ name, version, schema: 'public', defaultVersion });

  it('contrib is available on the target; a contrib removed in the jump is a WARNING with what to do', () => {
    const r = judgeExtensions({
      extensions: [ext('plpgsql'), ext('adminpack', '2.1'), ext('pg_trgm', '1.5', '1.6')],
      currentMajor: 16,
      targetMajor: 18,
      supabase: false,
    });
    expect(r.status).toBe('warning');
    expect(r.summary).toContain('not available on 18: adminpack');
    expect(row(r, 'adminpack')?.[3]).toContain('removed in 17');
    expect(row(r, 'pg_trgm')?.[4]).toContain('ALTER EXTENSION "pg_trgm" UPDATE');
    // Not crossed: 17 → 18 does not remove adminpack again.
    expect(judgeExtensions({ extensions: [ext('plpgsql')], currentMajor: 17, targetMajor: 18, supabase: false }).status).toBe('ok');
  });

  it('third-party extensions are never claimed: check with the maintainer (or Supabase)', () => {
    const r = judgeExtensions({ extensions: [ext('postgis', '3.5.2')], currentMajor: 16, targetMajor: 18, supabase: false });
    expect(r.status).toBe('ok');
    expect(row(r, 'postgis')?.[3]).toBe('unknown to Ops Console');
    expect(row(r, 'postgis')?.[4]).toContain("check with the extension's maintainer");
  });

  it('on Supabase: what the platform manages, and what its 17 image dropped', () => {
    const r = judgeExtensions({
      extensions: [ext('pgcrypto'), ext('pg_graphql'), ext('timescaledb', '2.16.1')],
      currentMajor: 15,
      targetMajor: 17,
      supabase: true,
    });
    expect(r.status).toBe('warning');
    expect(row(r, 'pg_graphql')?.[3]).toContain('managed by Supabase');
    expect(row(r, 'timescaledb')?.[3]).toBe('not on Supabase 17');
    // Elsewhere timescaledb is simply third-party.
    expect(row(judgeExtensions({ extensions: [ext('timescaledb')], currentMajor: 15, targetMajor: 17, supabase: false }), 'timescaledb')?.[3]).toBe(
      'unknown to Ops Console',
    );
  });
});

describe('feature rules', () => {
  it('the target is the newest released major, or the next (beta) one on the newest', () => {
    expect(targetMajorFor(15)).toBe(18);
    expect(targetMajorFor(18)).toBe(19);
    expect(targetMajorFor(19)).toBeNull();
  });

  it('a jump takes the rules of the majors it crosses, no more', () => {
    const majors = new Set(rulesForJump(15, 18).map((r) => r.major));
    expect([...majors].sort()).toEqual([16, 17, 18]);
    expect(rulesForJump(18, 18)).toEqual([]);
  });

  it('every rule has an id, a change, an action and a query; ids are unique', () => {
    const ids = FEATURE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of FEATURE_RULES) {
      expect(r.id.startsWith(`pg${r.major}.`)).toBe(true);
      expect(r.sql).toMatch(/\bAS object\b/);
      expect(r.action.length).toBeGreaterThan(10);
    }
  });

  it('only rules that found something are reported; unchecked ones say so', () => {
    const [a, b, c] = rulesForJump(15, 18);
    const r = judgeFeatures({
      current: 15,
      target: 18,
      outcomes: [
        { rule: a!, objects: ['table s.t'] },
        { rule: b!, objects: [] },
        { rule: c!, objects: [], skipped: 'permission denied' },
      ],
      supabase: false,
      platformRules: 0,
      targetIsBeta: false,
    });
    expect(r.status).toBe('warning');
    expect(r.rows).toHaveLength(2);
    expect(r.rows[0]).toEqual([a!.major, a!.change, 'table s.t', a!.action]);
    expect(r.rows[1]![2]).toBe('not checked: permission denied');
    const none = judgeFeatures({ current: 18, target: 19, outcomes: [{ rule: b!, objects: [] }], supabase: true, platformRules: 2, targetIsBeta: true });
    expect(none.status).toBe('ok');
    expect(none.summary).toContain('19 is in beta');
    expect(none.summary).toContain('left to Supabase');
  });
});

describe('Supabase', () => {
  it('a Supabase host is recognised without a query; the upgrade path points at the platform', async () => {
    const client = {
      query: () => {
        throw new Error('no query expected for a Supabase host');
      },
    } as never;
    await expect(isSupabase(client, { host: 'db.abcdefghijklmnop.supabase.co', port: 5432 })).resolves.toBe(true);
    await expect(isSupabase(client, { host: 'aws-0-eu-central-1.pooler.supabase.com', port: 6543 })).resolves.toBe(true);
    expect(upgradePathRows(true, 17)[0]![2]).toContain('Dashboard → Project Settings → Infrastructure');
    expect(upgradePathRows(false, 18).map((r) => r[1])).toEqual(['pg_upgrade', 'dump and restore', 'logical replication']);
  });
});
