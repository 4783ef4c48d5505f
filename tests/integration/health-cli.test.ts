// The acceptance through the built CLI: `ops-console health sandbox --json` returns
// every check with its value, warning and critical thresholds and exits with the worst
// status's monitoring code; a threshold lowered below the sandbox's size makes it exit 1,
// then 2. Runs bin/ops-console.cjs as a user would (npm test builds first); thresholds are
// set through a core opened on the same home between runs, as the desktop app would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { json, runCli } from '../helpers/cli';
import { LENIENT_THRESHOLDS } from '../helpers/thresholds';

const cli = (home: string, args: string[]) => runCli(home, args);
const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
const CHECKS = ['dbSize', 'connections', 'cacheHit', 'queryTime', 'oldestTransaction', 'replicationLag', 'wraparound', 'failedQueries'];

interface HealthDoc {
  status: keyof typeof EXIT;
  checks: Array<{ name: string; status: keyof typeof EXIT; value: number | null; warn: number | null; critical: number | null; summary: string }>;
}

const LENIENT = LENIENT_THRESHOLDS;

describe('ops-console health', () => {
  let home: string;

  /** Through the core's own operation, audited like a change in the app. */
  async function setThresholds(values: Array<{ key: string; warn: number; critical: number | null }>): Promise<void> {
    const core = createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore(), actor: 'tester' });
    try {
      const profiles = (await core.dispatch('listProfiles', {}, { actor: 'tester', via: 'test' })) as { ok: true; value: Profile[] };
      const sandbox = profiles.value.find((p) => p.name === 'sandbox')!;
      const env = await core.dispatch('setThresholds', { profileId: sandbox.id, values }, { actor: 'tester', via: 'test' });
      expect(env.ok, JSON.stringify(env)).toBe(true);
    } finally {
      await core.close();
    }
  }

  async function health(): Promise<{ code: number; doc: HealthDoc; stderr: string }> {
    const run = await cli(home, ['health', 'sandbox', '--json']);
    return { code: run.code, doc: json(run) as unknown as HealthDoc, stderr: run.stderr };
  }

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-health-'));
    const start = await cli(home, ['sandbox', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await cli(home, ['sandbox', 'stop']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('returns every check with value, warning and critical thresholds, and exits with the worst status', async () => {
    const { code, doc, stderr } = await health();
    expect(doc.checks.map((c) => c.name)).toEqual(CHECKS);
    for (const c of doc.checks) {
      expect(c.status, `${c.name}: ${c.summary}`).toMatch(/^(ok|warning|critical)$/);
      expect(typeof c.warn, c.name).toBe('number');
      expect(typeof c.critical, c.name).toBe('number');
      // The sandbox has no standby: the lag has no value and says why.
      if (c.name === 'replicationLag') expect(c).toMatchObject({ value: null, status: 'ok', summary: expect.stringMatching(/no replicas/i) });
      else expect(typeof c.value, c.name).toBe('number');
    }
    expect(code, stderr).toBe(EXIT[doc.status]);
  });

  it('exits 0, then 1 (WARNING), then 2 (CRITICAL) as the size threshold is lowered', async () => {
    await setThresholds(LENIENT);
    const calm = await health();
    expect(calm.doc.status).toBe('ok');
    expect(calm.code, calm.stderr).toBe(0);
    const size = calm.doc.checks.find((c) => c.name === 'dbSize')!.value!;
    expect(size).toBeGreaterThan(1024 * 1024);

    await setThresholds([{ key: 'dbSize', warn: Math.floor(size / 2), critical: size * 10 }]);
    const warned = await health();
    expect(warned.doc.checks.find((c) => c.name === 'dbSize')).toMatchObject({ status: 'warning', warn: Math.floor(size / 2), critical: size * 10 });
    expect(warned.doc.status).toBe('warning');
    expect(warned.code, warned.stderr).toBe(1);

    await setThresholds([{ key: 'dbSize', warn: Math.floor(size / 4), critical: Math.floor(size / 2) }]);
    const critical = await health();
    expect(critical.doc.status).toBe('critical');
    expect(critical.code).toBe(2);
  });

  it('prints one line per check without --json, and exits UNKNOWN when the check cannot be made', async () => {
    const text = await cli(home, ['health', 'sandbox']);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^(OK|WARNING|CRITICAL|UNKNOWN) /.test(l))).toHaveLength(CHECKS.length);
    expect(lines.at(-1)).toBe('sandbox: CRITICAL');
    expect(text.code).toBe(2);

    const missing = await cli(home, ['health', 'nope', '--json']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: No profile named "nope"/m);
    expect(json(missing)).toMatchObject({ ok: false, status: 'unknown' });
    const usage = await cli(home, ['health']);
    expect(usage.code).toBe(2);
  });
});
