// Team store benchmark (issue #22): a workstation catching up on N offline actions (2N chain
// records) with `teamSync`, against a bare loop in the same run that sends the same rows in
// the same batches (500 per unnest INSERT, one transaction each) with no app around it; and
// `teamVerifyAudit` over them. Its own throwaway cluster (trust on loopback).
// `npx tsx bench/team-sync.ts [--entries 10000] [--rounds 3]`. The last stdout line is one JSON object.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createCore, type Core } from '../src-main/core/app';
import { CHAIN_FIELDS } from '../src-main/core/platform/audit/chain';
import { freeLoopbackPort, LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { arg, call, loadAverage, median, round2 } from './bench-cluster';

const entries = arg('entries', 10_000);
const rounds = arg('rounds', 3);

function newCore(root: string, name: string): Core {
  const home = path.join(root, name);
  return createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore(), actor: 'bench' });
}

function append(core: Core, n: number): void {
  core.deps.store.db.transaction(() => {
    for (let i = 0; i < n; i += 1)
      core.deps.audit.record({
        actor: 'bench',
        action: 'query.run',
        profile: 'shop',
        summary: `action ${i}`,
        detail: 'SELECT 1',
        outcome: 'ok',
        durationMs: i % 50,
      });
  })();
}

/** The bare loop: the same chain rows, the same batch size and statement, no app. */
async function bare(client: pg.Client, core: Core, id: string): Promise<number> {
  const cols = [...CHAIN_FIELDS, 'prev_hash', 'hash'];
  const types = ['int8', 'text', 'int8', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int8', 'int8', 'text', 'text', 'text'];
  const sql = `INSERT INTO bare_chain (workstation_id, ${cols.join(', ')}) SELECT $1::uuid, * FROM unnest(${cols.map((_, i) => `$${i + 2}::${types[i]}[]`).join(', ')}) ON CONFLICT DO NOTHING`;
  const started = performance.now();
  const read = core.deps.store.db.prepare(`SELECT ${cols.join(', ')} FROM audit_chain WHERE seq > ? ORDER BY seq LIMIT 500`).raw();
  let from = 0;
  for (;;) {
    const rows = read.all(from) as unknown[][];
    if (rows.length === 0) break;
    await client.query('BEGIN');
    await client.query(sql, [id, ...cols.map((_, i) => rows.map((r) => r[i]))]);
    await client.query('COMMIT');
    from = rows[rows.length - 1]![0] as number;
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-team-'));
  fs.chmodSync(root, 0o711);
  const port = await freeLoopbackPort();
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries: await pickServerBinaries(), port, auth: { method: 'trust' }, durable: true });
  await cluster.init();
  await cluster.start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE team');
  const results: Array<{ syncMs: number; bareMs: number; verifyMs: number; ratio: number; load: number[] }> = [];
  try {
    for (let r = 0; r < rounds; r += 1) {
      const core = newCore(root, `home-${r}`);
      append(core, entries);
      await call(core, 'teamConnect', { url: `postgresql://postgres@127.0.0.1:${port}/team?sslmode=disable` });
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'team' });
      await client.connect();
      await client.query('CREATE TABLE IF NOT EXISTS bare_chain (LIKE ops_team.audit_chain INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
      const load = loadAverage();
      // Alternate the order so neither always runs on a warmer server.
      let syncMs = 0;
      let bareMs = 0;
      const timeSync = async () => {
        const t = performance.now();
        await call(core, 'teamSync', {});
        syncMs = performance.now() - t;
      };
      if (r % 2 === 0) {
        await timeSync();
        bareMs = await bare(client, core, crypto.randomUUID());
      } else {
        bareMs = await bare(client, core, crypto.randomUUID());
        await timeSync();
      }
      const t = performance.now();
      const verify = await call<{ ok: boolean }>(core, 'teamVerifyAudit', {});
      const verifyMs = performance.now() - t;
      if (!verify.ok) throw new Error('team verify failed');
      await client.end();
      await core.close();
      results.push({ syncMs, bareMs, verifyMs, ratio: syncMs / bareMs, load });
      console.error(
        `round ${r + 1}: sync ${Math.round(syncMs)} ms, bare ${Math.round(bareMs)} ms, ratio ${round2(syncMs / bareMs)}, verify ${Math.round(verifyMs)} ms, load ${load.join(' ')}`,
      );
    }
  } finally {
    await admin.end();
    await cluster.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      entries,
      records: entries * 2,
      rounds,
      syncMsMedian: Math.round(median(results.map((x) => x.syncMs))),
      bareMsMedian: Math.round(median(results.map((x) => x.bareMs))),
      ratioMedian: round2(median(results.map((x) => x.ratio))),
      verifyMsMedian: Math.round(median(results.map((x) => x.verifyMs))),
      loads: results.map((x) => x.load),
    }),
  );
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
