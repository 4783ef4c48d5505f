import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlushQueue } from '../../src-main/core/platform/fs/flush-queue';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function openAll(d: string, prefix: string, n: number): Promise<fs.promises.FileHandle[]> {
  const handles: fs.promises.FileHandle[] = [];
  for (let i = 0; i < n; i++) handles.push(await fs.promises.open(path.join(d, `${prefix}${i}`), 'wx'));
  return handles;
}

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
    const handles = await openAll(d, 'h', 100);
    const q = new FlushQueue();
    // Added in one synchronous burst, so the queue backs up as behind a slow disk: 3 in flight, 64 held, 33 closed at once.
    handles.forEach((h, i) => q.add(path.join(d, `h${i}`), h));
    // A closed FileHandle reports fd -1 as soon as its close starts.
    expect(handles.slice(3 + 64).filter((h) => h.fd !== -1)).toEqual([]);
    expect(handles.slice(3, 3 + 64).filter((h) => h.fd === -1)).toEqual([]);
    // Renamed while still held (as a snapshot's download is): its handle still flushes that file.
    fs.renameSync(path.join(d, 'h10'), path.join(d, 'renamed'));
    await q.drain();
    expect(handles.filter((h) => h.fd !== -1)).toEqual([]);
  });

  it('a failed flush closes every handle still waiting and refuses later ones; abandon closes the waiting ones and waits for those in flight', async () => {
    const d = folder();
    const handles = await openAll(d, 'w', 10);
    const q = new FlushQueue();
    q.add(path.join(d, 'missing'));
    handles.forEach((h, i) => q.add(path.join(d, `w${i}`), h));
    await expect(q.drain()).rejects.toMatchObject({ code: 'ENOENT' });
    // drain rejects only once every handle is closed.
    expect(handles.filter((h) => h.fd !== -1)).toEqual([]);
    const late = await fs.promises.open(path.join(d, 'late'), 'wx');
    q.add(path.join(d, 'late'), late);
    expect(late.fd).toBe(-1);

    const more = await openAll(d, 'a', 10);
    const q2 = new FlushQueue();
    more.forEach((h, i) => q2.add(path.join(d, `a${i}`), h));
    const abandoned = q2.abandon();
    // The 7 waiting are closed at once, unflushed; the 3 in flight close when their fsync ends.
    expect(more.slice(3).filter((h) => h.fd !== -1)).toEqual([]);
    await abandoned;
    expect(more.filter((h) => h.fd !== -1)).toEqual([]);
  });
});
