// Fleet health (issue #22): `ops-console health --tag T --concurrency 16 --json` as a whole CLI
// process over 20, 100 and 200 databases spread over 4 local clusters (50 each, created from
// a template holding a small shop schema with rows and indexes), 200 profiles tagged so that
// f20 ⊂ f100 ⊂ f200. Targets: 200 in < 30 s wall, peak RSS < 300 MB (from /usr/bin/time -v);
// per-target cost and its growth from 20 to 200. Baseline in the same run, alternating with
// the CLI: a bare loop running the overview's own SQL with `psql -c`, 16 at once, over the
// same databases (a process and a connection per target, no judging, no audit, no store).
// Rounds alternate sizes and CLI/baseline so each sees the same machine load; medians.
// Run: npx tsx bench/fleet.ts [--clusters 4] [--per 50] [--rounds 3] [--concurrency 16]
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Profile } from '../src-main/contract/models';
import { createCore } from '../src-main/core/app';
import { OVERVIEW_SQL } from '../src-main/core/monitoring/overview';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { arg, call, loadAverage, median, round1, round2 } from './bench-cluster';

const CLUSTERS = arg('clusters', 4);
const PER = arg('per', 50);
const ROUNDS = arg('rounds', 3);
const CONCURRENCY = arg('concurrency', 16);
const SIZES = [20, 100, CLUSTERS * PER];
const BIN = path.resolve(__dirname, '../bin/ops-console.cjs');

const SHOP_SCHEMA = `
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE products (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE, title text NOT NULL, price_cents int NOT NULL CHECK (price_cents >= 0));
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, status text NOT NULL DEFAULT 'new', placed_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_placed_idx ON orders (placed_at);
CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE, product_id bigint NOT NULL REFERENCES products, qty int NOT NULL, PRIMARY KEY (order_id, product_id));
INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 500) g;
INSERT INTO products (sku, title, price_cents) SELECT 'SKU-' || g, 'Product ' || g, (g * 137) % 10000 FROM generate_series(1, 200) g;
INSERT INTO orders (customer_id, status, placed_at) SELECT 1 + g % 500, (ARRAY['new','paid','shipped'])[1 + g % 3], now() - (g || ' minutes')::interval FROM generate_series(1, 2000) g;
INSERT INTO order_items SELECT o.id, 1 + (o.id * 7) % 200, 1 + o.id % 4 FROM orders o;
ANALYZE;`;

interface Measure {
  ms: number;
  rssMb: number;
  code: number;
  statuses: Record<string, number>;
}

function timeV(args: string[], env: NodeJS.ProcessEnv): Promise<Measure> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      ['-v', process.execPath, BIN, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const ms = performance.now() - started;
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        if (!rss) return reject(new Error(`no RSS from /usr/bin/time: ${err?.message ?? ''}\n${stderr.slice(-2000)}`));
        const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
        let statuses: Record<string, number>;
        try {
          statuses = (JSON.parse(stdout) as { counts: Record<string, number> }).counts;
        } catch {
          const file = path.join(os.tmpdir(), `ops-bench-fleet-stdout-${process.pid}.json`);
          fs.writeFileSync(file, stdout);
          return reject(new Error(`not JSON (exit ${code}, ${stdout.length} chars, kept in ${file}): …${stdout.slice(-300)}\n${stderr.slice(-1500)}`));
        }
        resolve({ ms, rssMb: round1(Number(rss[1]) / 1024), code, statuses });
      },
    );
  });
}

/** The overview's SQL through `psql -c`, `concurrency` at once: a process and a connection per target. */
async function baseline(targets: Array<{ port: number; database: string }>, psql: string): Promise<number> {
  const started = performance.now();
  let next = 0;
  const one = (t: { port: number; database: string }) =>
    new Promise<void>((resolve, reject) => {
      execFile(psql, ['-X', '-q', '-h', '127.0.0.1', '-p', String(t.port), '-U', 'postgres', '-d', t.database, '-At', '-c', OVERVIEW_SQL], (err) =>
        err ? reject(err) : resolve(),
      );
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < targets.length) await one(targets[next++]!);
    }),
  );
  return performance.now() - started;
}

async function main(): Promise<void> {
  const binaries = await pickServerBinaries();
  const psql = path.join(binaries.binDir, 'psql');
  const root = path.join(os.tmpdir(), `ops-console-bench-fleet-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  const clusters: LocalCluster[] = [];
  const targets: Array<{ port: number; database: string }> = [];
  try {
    const setupStarted = performance.now();
    for (let c = 0; c < CLUSTERS; c++) {
      const cluster = new LocalCluster({
        dataDir: path.join(root, `data${c}`),
        binaries,
        auth: { method: 'trust' },
        durable: false,
        settings: { max_connections: '100', shared_buffers: '32MB' },
      });
      clusters.push(cluster);
      await cluster.init();
      const { port } = await cluster.start();
      const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      try {
        await admin.query('CREATE DATABASE fleet_tpl');
        const tpl = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'fleet_tpl' });
        await tpl.connect();
        await tpl.query(SHOP_SCHEMA);
        await tpl.end();
        for (let i = 0; i < PER; i++) {
          const database = `shop_${c}_${String(i).padStart(3, '0')}`;
          await admin.query(`CREATE DATABASE ${database} TEMPLATE fleet_tpl`);
          targets.push({ port, database });
        }
      } finally {
        await admin.end();
      }
    }
    const home = path.join(root, 'home');
    const core = createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore(), actor: 'bench' });
    try {
      for (const [i, t] of targets.entries()) {
        const tags = SIZES.filter((n) => i < n).map((n) => `f${n}`);
        await call<Profile>(core, 'createProfile', {
          profile: {
            name: `db-${String(i).padStart(3, '0')}`,
            host: '127.0.0.1',
            port: t.port,
            database: t.database,
            user: 'postgres',
            sslmode: 'disable',
            tags,
          },
        });
      }
    } finally {
      await core.close();
    }
    const setupMs = performance.now() - setupStarted;
    console.log(`setup: ${CLUSTERS} clusters × ${PER} databases, ${targets.length} profiles in ${round1(setupMs / 1000)} s`);

    const cli = (n: number) =>
      timeV(['--home', home, 'health', '--tag', `f${n}`, '--concurrency', String(CONCURRENCY), '--json'], { PGPASSFILE: '/nonexistent' });
    // Warm-up: the page cache, the template's catalogs, node's compile cache.
    await cli(20);
    await baseline(targets.slice(0, 20), psql);

    const byN: Record<number, { cli: Measure[]; bare: number[]; load: number[][] }> = {};
    for (const n of SIZES) byN[n] = { cli: [], bare: [], load: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const n of SIZES) {
        const m = await cli(n);
        const total = Object.values(m.statuses).reduce((a, b) => a + b, 0);
        if (total !== n || (m.statuses.unknown ?? 0) > 0) throw new Error(`round ${r}, ${n} targets: ${JSON.stringify(m.statuses)} (exit ${m.code})`);
        byN[n]!.cli.push(m);
        byN[n]!.bare.push(await baseline(targets.slice(0, n), psql));
        byN[n]!.load.push(loadAverage());
        console.log(
          `round ${r + 1} n=${n}: cli ${round1(m.ms)} ms (rss ${m.rssMb} MB), bare psql loop ${round1(byN[n]!.bare.at(-1)!)} ms, load ${loadAverage().join(' ')}`,
        );
      }
    }
    const summary = SIZES.map((n) => {
      const s = byN[n]!;
      const cliMs = median(s.cli.map((m) => m.ms));
      const bareMs = median(s.bare);
      return {
        targets: n,
        cliMs: round1(cliMs),
        bareMs: round1(bareMs),
        ratio: round2(cliMs / bareMs),
        perTargetMs: round2(cliMs / n),
        barePerTargetMs: round2(bareMs / n),
        peakRssMb: Math.max(...s.cli.map((m) => m.rssMb)),
        load: s.load.map((l) => l[0]),
      };
    });
    const small = summary[0]!;
    const large = summary.at(-1)!;
    // Growth beyond the fixed start-up: the marginal cost per target between 20 and 200.
    const marginal = round2((large.cliMs - small.cliMs) / (large.targets - small.targets));
    const result = {
      bench: 'fleet',
      at: new Date().toISOString(),
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      cpus: os.cpus().length,
      summary,
      marginalMsPerTarget20to200: marginal,
      targets: { wallMs: 30_000, rssMb: 300 },
      met: { wall: large.cliMs < 30_000, rss: large.peakRssMb < 300 },
    };
    console.log(JSON.stringify(result));
  } finally {
    for (const c of clusters) await c.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
