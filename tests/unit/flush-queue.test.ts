import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlushQueue } from '../../src-main/core/platform/fs/flush-queue';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'flush-queue-'));
  dirs.push(d);
  return d;
}

describe('FlushQueue', () => {
  it('drains at once when nothing was queued', async () => {
    await expect(new FlushQueue().drain()).resolves.toBeUndefined();
  });

  it('flushes every queued file, including ones added while others are in flight', async () => {
    const d = folder();
    const q = new FlushQueue();
    for (let i = 0; i < 20; i++) {
      fs.writeFileSync(path.join(d, `f${i}`), `bytes ${i}`);
      q.add(path.join(d, `f${i}`));
    }
    await q.drain();
    // Drained: a second drain has nothing left to wait for, and the files are intact.
    await q.drain();
    expect(fs.readFileSync(path.join(d, 'f19'), 'utf8')).toBe('bytes 19');
  });

  it('rejects the drain with the first failure (a file gone before its flush) instead of reporting the batch flushed', async () => {
    const d = folder();
    const q = new FlushQueue();
    fs.writeFileSync(path.join(d, 'a'), 'a');
    q.add(path.join(d, 'a'));
    q.add(path.join(d, 'missing'));
    await expect(q.drain()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
