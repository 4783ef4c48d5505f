// The fleet runner's promises (issue #22): results in input order whatever the finishing
// order, the concurrency bound, a per-target timeout that aborts the target's signal and
// waits for it to let go, a thrown error kept to its target, and a cancel of the whole run.
// selectProfiles: by any of the tags, by names (unknown names named), never empty.
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { Profile } from '../../src-main/contract/models';
import { runFleet, type FleetResult } from '../../src-main/core/fleet/runner';
import { selectProfiles } from '../../src-main/core/fleet/select';

function profile(name: string, tags: string[] = []): Profile {
  return { id: `id-${name}`, name, tags } as unknown as Profile;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits `ms` unless aborted; rejects with the abort reason then (as pg does when its connection is ended). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}

function errorOf<T>(r: FleetResult<T>) {
  if (r.ok) throw new Error(`expected ${r.profile} to fail`);
  return r.error;
}

describe('runFleet', () => {
  it('returns results in input order, whatever order they finish in, and calls onResult as each finishes', async () => {
    const targets = ['a', 'b', 'c', 'd', 'e'].map((n) => profile(n));
    const delays: Record<string, number> = { a: 60, b: 5, c: 30, d: 1, e: 15 };
    const finished: string[] = [];
    const results = await runFleet(targets, { concurrency: 5, timeoutMs: 5000, onResult: (r) => finished.push(r.profile) }, async (p) => {
      await sleep(delays[p.name]!);
      return p.name.toUpperCase();
    });
    expect(results.map((r) => (r.ok ? r.value : null))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(results.map((r) => r.profileId)).toEqual(targets.map((t) => t.id));
    expect(finished).toEqual(['d', 'b', 'e', 'c', 'a']);
  });

  it('never runs more than `concurrency` targets at once, and does run that many', async () => {
    let now = 0;
    let max = 0;
    const targets = Array.from({ length: 23 }, (_, i) => profile(`p${i}`));
    const seen: number[] = [];
    await runFleet(targets, { concurrency: 4, timeoutMs: 5000, onInFlight: (n) => seen.push(n) }, async () => {
      now++;
      max = Math.max(max, now);
      await sleep(5 + Math.random() * 10);
      now--;
    });
    expect(max).toBe(4);
    expect(Math.max(...seen)).toBe(4);
  });

  it('a timeout aborts that target only, waits for it to let go, and reports TIMEOUT; the others are judged', async () => {
    let released = false;
    const results = await runFleet([profile('fast'), profile('hangs'), profile('also-fast')], { concurrency: 3, timeoutMs: 80 }, async (p, signal) => {
      if (p.name !== 'hangs') return 'ok';
      try {
        await abortableSleep(60_000, signal);
      } finally {
        // The connection's end(): the runner waits for it before giving the slot back.
        await sleep(20);
        released = true;
      }
      return 'never';
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(errorOf(results[1]!).code).toBe('TIMEOUT');
    expect(errorOf(results[1]!).message).toContain('0.1 s');
    expect(released).toBe(true);
  });

  it('keeps a thrown error to its target: an OpsError keeps its code, anything else is INTERNAL', async () => {
    const results = await runFleet([profile('refused'), profile('bug'), profile('fine')], { timeoutMs: 5000 }, (p) => {
      if (p.name === 'refused') throw new OpsError('CONNECTION_FAILED', 'Could not connect to db:1');
      if (p.name === 'bug') return Promise.reject(new TypeError('x is undefined'));
      return Promise.resolve(1);
    });
    expect(errorOf(results[0]!)).toEqual({ code: 'CONNECTION_FAILED', message: 'Could not connect to db:1' });
    expect(errorOf(results[1]!).code).toBe('INTERNAL');
    expect(results[2]).toMatchObject({ ok: true, value: 1 });
  });

  it('a cancel aborts running targets and leaves the rest unstarted, all CANCELLED', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const run = runFleet(
      ['a', 'b', 'c', 'd'].map((n) => profile(n)),
      { concurrency: 2, timeoutMs: 60_000, signal: controller.signal },
      async (p, signal) => {
        started.push(p.name);
        await abortableSleep(60_000, signal);
      },
    );
    await sleep(30);
    controller.abort();
    const results = await run;
    expect(started).toEqual(['a', 'b']);
    expect(results.map((r) => errorOf(r).code)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('refuses a concurrency out of 1..64', async () => {
    await expect(runFleet([], { concurrency: 0, timeoutMs: 1000 }, () => Promise.resolve())).rejects.toThrow(/between 1 and 64/);
    await expect(runFleet([], { concurrency: 65, timeoutMs: 1000 }, () => Promise.resolve())).rejects.toThrow(/between 1 and 64/);
  });
});

describe('selectProfiles', () => {
  const repo = { list: () => [profile('eu-1', ['prod', 'eu']), profile('us-1', ['prod', 'us']), profile('dev', ['dev']), profile('bare')] };

  it('selects profiles carrying any of the tags, in store order; tags are case-insensitive', () => {
    expect(selectProfiles(repo, { tags: ['EU'] }).map((p) => p.name)).toEqual(['eu-1']);
    expect(selectProfiles(repo, { tags: ['us', 'dev'] }).map((p) => p.name)).toEqual(['us-1', 'dev']);
  });

  it('selects by names in the given order, each once, and names every unknown one', () => {
    expect(selectProfiles(repo, { profiles: ['dev', 'EU-1', 'eu-1'] }).map((p) => p.name)).toEqual(['dev', 'eu-1']);
    const err = (() => {
      try {
        selectProfiles(repo, { profiles: ['dev', 'nope', 'gone'] });
      } catch (e) {
        return e as OpsError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('"nope", "gone"');
  });

  it('refuses no selection, both kinds at once, and a tag nobody has (naming the tags in use)', () => {
    expect(() => selectProfiles(repo, {})).toThrow(/No targets selected/);
    expect(() => selectProfiles(repo, { tags: ['prod'], profiles: ['dev'] })).toThrow(/not both/);
    expect(() => selectProfiles(repo, { tags: ['staging'] })).toThrow(/No profile is tagged staging.*Tags in use: dev, eu, prod, us/);
  });
});
