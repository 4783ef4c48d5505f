// The CLI's V8 code cache (src-main/cli/code-cache.ts, issue #21) through the built CLI: the
// first start writes one private file per bundle chunk, the next is served from them, and a
// damaged, foreign or mismatched file is never used — the command's output is the same in
// every case. `profile list` needs no server; it sets the one-shot V8 flag like `query`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Run } from '../helpers/cli';

interface Report {
  hits: number;
  misses: number;
  rejected: number;
}

function report(run: Run): Report | null {
  const m = /code cache: (\d+) hits, (\d+) misses, (\d+) rejected/.exec(run.stderr);
  return m ? { hits: Number(m[1]), misses: Number(m[2]), rejected: Number(m[3]) } : null;
}

describe('CLI code cache', () => {
  let home: string;
  let root: string;
  let expected: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-code-cache-'));
    home = path.join(root, 'home');
    const add = await runCli(home, ['profile', 'add', 'cached', '--url', 'postgres://app@db.example.internal:5432/shop', '--env', 'staging'], {
      env: { OPS_CONSOLE_CODE_CACHE: 'off' },
    });
    expect(add.code, add.stderr).toBe(0);
    const plain = await runCli(home, ['profile', 'list'], { env: { OPS_CONSOLE_CODE_CACHE: 'off' } });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('code cache');
    expect(plain.stdout).toContain('db.example.internal');
    expected = plain.stdout;
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const list = (dir: string, mode = 'report') => runCli(home, ['profile', 'list'], { env: { OPS_CONSOLE_CODE_CACHE: mode, OPS_CONSOLE_CODE_CACHE_DIR: dir } });
  const files = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.v8'));

  it('is written on the first start (private files) and serves the next one, whole', async () => {
    const dir = path.join(root, 'fresh');
    const first = await list(dir);
    expect(first.stdout).toBe(expected);
    const cold = report(first)!;
    expect(cold).toMatchObject({ hits: 0, rejected: 0 });
    expect(cold.misses).toBeGreaterThan(5);
    expect(files(dir)).toHaveLength(cold.misses);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of files(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);

    const second = await list(dir);
    expect(second.stdout).toBe(expected);
    // Every chunk from the cache: none compiled afresh, none refused by V8 (the one-shot
    // command's --liftoff-only is set before its chunks load, and data is saved under it).
    expect(report(second)).toEqual({ hits: cold.misses, misses: 0, rejected: 0 });
  });

  it('ignores a damaged file, one made from other source text, a truncated one, and data V8 refuses; each is rewritten', async () => {
    const dir = path.join(root, 'damaged');
    const cold = report(await list(dir))!;
    const [damaged, foreign, truncated, refused, donor] = files(dir)
      .sort()
      .map((name) => path.join(dir, name));
    const magic = 'OPSCC1\n'.length;
    const head = magic + 40;
    const sha1 = (data: Buffer) => crypto.createHash('sha1').update(data).digest();
    // A bit flipped on disk in the V8 data: its hash no longer matches, V8 never sees it.
    const d = fs.readFileSync(damaged!);
    d[head + 100] = d[head + 100]! ^ 0x01;
    fs.writeFileSync(damaged!, d);
    // Recorded for another text (a chunk edited in place with the same size and time).
    const f = fs.readFileSync(foreign!);
    f[magic] = f[magic]! ^ 0xff;
    fs.writeFileSync(foreign!, f);
    fs.writeFileSync(truncated!, 'OPSCC1\n');
    // Intact data of another chunk filed under this chunk's source hash: V8's own check refuses it.
    const r = fs.readFileSync(refused!);
    const other = fs.readFileSync(donor!).subarray(head);
    fs.writeFileSync(refused!, Buffer.concat([r.subarray(0, magic + 20), sha1(other), other]));

    const run = await list(dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(expected);
    expect(report(run)).toEqual({ hits: cold.misses - 4, misses: 3, rejected: 1 });
    // Rewritten at exit: the next start is whole again.
    expect(report(await list(dir))).toEqual({ hits: cold.misses, misses: 0, rejected: 0 });
  });

  it('is off when asked, and when its folder is writable by others (cached bytecode runs as our code)', async () => {
    const off = path.join(root, 'off');
    const run = await list(off, 'off');
    expect(run.stdout).toBe(expected);
    expect(fs.existsSync(off)).toBe(false);

    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    const open = await list(shared);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toBe(expected);
    expect(report(open)).toBeNull();
    expect(files(shared)).toEqual([]);
  });
});
