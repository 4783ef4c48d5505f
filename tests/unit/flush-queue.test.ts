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

  it('flushes a file handed over open through its own handle and closes it; past 64 waiting handles, closes the rest at once and reopens their files', async () => {
    const d = folder();
    const q = new FlushQueue();
    const handles: fs.promises.FileHandle[] = [];
    for (let i = 0; i < 100; i++) {
      const h = await fs.promises.open(path.join(d, `h${i}`), 'wx');
      await h.writeFile(`held ${i}`);
      handles.push(h);
      q.add(path.join(d, `h${i}`), h);
    }
    // Renamed while still open (as a snapshot's download is): the handle still flushes that file.
    fs.renameSync(path.join(d, 'h99'), path.join(d, 'renamed'));
    await q.drain();
    // A closed FileHandle reports fd -1: every handle the queue was given is closed once drained.
    expect(handles.filter((h) => h.fd !== -1)).toEqual([]);
    expect(fs.readFileSync(path.join(d, 'renamed'), 'utf8')).toBe('held 99');
  });

  it('a failed flush or an abandoned run closes every handle still waiting', async () => {
    const d = folder();
    const q = new FlushQueue();
    q.add(path.join(d, 'missing'));
    const handles: fs.promises.FileHandle[] = [];
    for (let i = 0; i < 10; i++) {
      const h = await fs.promises.open(path.join(d, `w${i}`), 'wx');
      handles.push(h);
      q.add(path.join(d, `w${i}`), h);
    }
    await expect(q.drain()).rejects.toMatchObject({ code: 'ENOENT' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(handles.filter((h) => h.fd !== -1)).toEqual([]);

    const q2 = new FlushQueue();
    const more: fs.promises.FileHandle[] = [];
    for (let i = 0; i < 10; i++) {
      const h = await fs.promises.open(path.join(d, `a${i}`), 'wx');
      more.push(h);
      q2.add(path.join(d, `a${i}`), h);
    }
    q2.abandon();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(more.filter((h) => h.fd !== -1)).toEqual([]);
  });
});
