// The issue's acceptance through the built CLI: `ops-console checklist run morning
// --profile sandbox --json` returns every morning step with a status and exits with the
// worst status's monitoring code. Runs bin/ops-console.cjs as a user would (npm test
// builds first).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChecklist } from '../../src-main/core/runbook/builtin';
import { json, runCli } from '../helpers/cli';

const cli = (home: string, args: string[]) => runCli(home, args);
const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

describe('ops-console checklist', () => {
  let home: string;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-checklist-'));
    const start = await cli(home, ['sandbox', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await cli(home, ['sandbox', 'stop']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists the checklists', async () => {
    const list = await cli(home, ['checklist', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((json(list).checklists as Array<{ id: string }>).map((c) => c.id)).toEqual(['morning', 'evening', 'security']);
  });

  it('runs the morning checklist on the sandbox: every step with a status, exit code of the worst', async () => {
    const run = await cli(home, ['checklist', 'run', 'morning', '--profile', 'sandbox', '--json']);
    const doc = json(run) as {
      checklist: string;
      profile: string;
      status: keyof typeof EXIT;
      steps: Array<{ id: string; title: string; kind: string; status: string; summary: string }>;
    };
    expect(doc).toMatchObject({ checklist: 'morning', profile: 'sandbox' });
    expect(doc.steps.map((s) => s.id)).toEqual(findChecklist('morning').steps.map((s) => s.id));
    for (const s of doc.steps) {
      expect(s.status, `${s.id}: ${s.summary}`).toMatch(/^(ok|warning|critical)$/);
      expect(s.summary.length).toBeGreaterThan(0);
    }
    // The seeded shop has between 6 and 10 low-stock items: a WARNING, and so the run.
    expect(doc.steps.find((s) => s.id === 'morning.low-stock')).toMatchObject({
      status: 'warning',
      summary: expect.stringMatching(/^\d+ items low on stock \(warning above 5, critical above 10\)$/),
    });
    expect(doc.status).toBe('warning');
    expect(run.code, run.stderr).toBe(EXIT[doc.status]);
  });

  it('prints one line per step without --json, and exits UNKNOWN when the run cannot happen', async () => {
    const text = await cli(home, ['checklist', 'run', 'evening', '--profile', 'sandbox']);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^(OK|WARNING|CRITICAL|UNKNOWN|SKIPPED|MANUAL) /.test(l))).toHaveLength(findChecklist('evening').steps.length);
    expect(lines.at(-1)).toMatch(/^Evening checklist \(6 PM\) on sandbox: (OK|WARNING|CRITICAL)$/);
    expect(text.code).toBe(EXIT[lines.at(-1)!.split(': ')[1]!.toLowerCase() as keyof typeof EXIT]);

    const missing = await cli(home, ['checklist', 'run', 'morning', '--profile', 'nope', '--json']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: No profile named "nope"/m);
    const usage = await cli(home, ['checklist', 'run', 'morning']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--profile is required/);
  });
});
