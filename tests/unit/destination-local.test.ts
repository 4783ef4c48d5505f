// The destination seam on the local file system: the write → seal → publish protocol never
// replaces an artifact, a discarded partial leaves nothing, a location string round-trips to
// the same destination and name, and a partial never passes for the artifact it will become.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLocation, LocalDestination, locate, localLocation, parseLocation } from '../../src-main/core/platform/destinations';

let dir = '';
let dest: LocalDestination;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-dest-'));
  dest = new LocalDestination(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function writePartialFile(name: string, text: string): Promise<void> {
  const writer = await dest.openPartial(name);
  await writer.write(text);
  await writer.finish();
}

describe('publish', () => {
  it('renames the partial to its final name, leaving no partial', async () => {
    await writePartialFile('a.dump', 'new');
    await dest.publish('a.dump');
    expect(fs.readdirSync(dir)).toEqual(['a.dump']);
    expect(fs.readFileSync(path.join(dir, 'a.dump'), 'utf8')).toBe('new');
    expect((fs.statSync(path.join(dir, 'a.dump')).mode & 0o777).toString(8)).toBe('600');
  });

  it('never replaces an existing file: EEXIST, old bytes kept, partial still there', async () => {
    fs.writeFileSync(path.join(dir, 'a.dump'), 'old');
    await writePartialFile('a.dump', 'new');
    await expect(dest.publish('a.dump')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(path.join(dir, 'a.dump'), 'utf8')).toBe('old');
    expect(fs.readFileSync(path.join(dir, 'a.dump.partial'), 'utf8')).toBe('new');
  });

  it('never replaces an existing folder, even an empty one (which rename alone would)', async () => {
    fs.mkdirSync(path.join(dir, 'd'));
    fs.mkdirSync(path.join(dir, 'd.partial'));
    fs.writeFileSync(path.join(dir, 'd.partial', 'toc.dat'), 'x');
    await expect(dest.publish('d')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readdirSync(path.join(dir, 'd'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'd.partial'))).toEqual(['toc.dat']);
  });

  it('publishes a directory-format partial with its files', async () => {
    fs.mkdirSync(path.join(dir, 'd.partial'));
    fs.writeFileSync(path.join(dir, 'd.partial', 'toc.dat'), 'toc');
    fs.writeFileSync(path.join(dir, 'd.partial', '3001.dat.gz'), 'rows');
    await dest.sealPartial('d');
    expect((fs.statSync(path.join(dir, 'd.partial', 'toc.dat')).mode & 0o777).toString(8)).toBe('600');
    await dest.publish('d');
    expect(await dest.listFiles('d')).toEqual(['3001.dat.gz', 'toc.dat']);
    expect(await dest.stat('d')).toMatchObject({ shape: 'directory', bytes: 7 });
  });
});

describe('discard', () => {
  it('removes a file partial, a half-written one included, and leaves nothing', async () => {
    const writer = await dest.openPartial('x.sql');
    await writer.write('half');
    await writer.abort();
    await dest.discard('x.sql');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes a directory partial with its files; a missing partial is fine', async () => {
    fs.mkdirSync(path.join(dir, 'd.partial'));
    fs.writeFileSync(path.join(dir, 'd.partial', 'toc.dat'), 'x');
    await dest.discard('d');
    await dest.discard('never-written.dump');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('createPartial refuses a partial that exists (two writers never share one)', async () => {
    await dest.createPartial('a.dump', 'file');
    await expect(dest.createPartial('a.dump', 'file')).rejects.toMatchObject({ code: 'EEXIST' });
    await dest.discard('a.dump');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('a partial is never taken for a backup', () => {
  it('stat/exists see no artifact while only its partial exists', async () => {
    await dest.createPartial('a.dump', 'file');
    expect(await dest.exists('a.dump')).toBe(false);
    expect(await dest.stat('a.dump')).toBeNull();
    expect(await dest.exists('a.dump.partial')).toBe(true);
  });

  it('freeName skips a name whose final file or partial exists', async () => {
    expect(await dest.freeName('p_full_1.dump', 100)).toBe('p_full_1.dump');
    await dest.createPartial('p_full_1.dump', 'file');
    expect(await dest.freeName('p_full_1.dump', 100)).toBe('p_full_1-2.dump');
    fs.writeFileSync(path.join(dir, 'p_full_1-2.dump'), '');
    expect(await dest.freeName('p_full_1.dump', 100)).toBe('p_full_1-3.dump');
    expect(await dest.freeName('p_full_1.dump', 2)).toBeNull();
    fs.mkdirSync(path.join(dir, 'dirdump.partial'));
    expect(await dest.freeName('dirdump', 100)).toBe('dirdump-2');
  });
});

describe('locations', () => {
  it('serialise as file:// + the absolute path and round-trip to the same destination and name', async () => {
    const loc = dest.location('a.dump');
    expect(loc).toEqual({ destination: 'local', path: path.join(dir, 'a.dump') });
    const text = formatLocation(loc);
    expect(text).toBe(`file://${path.join(dir, 'a.dump')}`);
    expect(localLocation(path.join(dir, 'a.dump'))).toBe(text);
    expect(parseLocation(text)).toEqual(loc);
    const found = locate(text);
    expect(found.name).toBe('a.dump');
    expect(found.destination.localPath(found.name)).toBe(path.join(dir, 'a.dump'));
    expect(locate(`file://${dir}/d/`).name).toBe('d');
  });

  it('refuses a location no destination reads', () => {
    expect(parseLocation('s3://bucket/key')).toBeNull();
    expect(parseLocation('file://')).toBeNull();
    expect(() => locate('/plain/path')).toThrow(/not a location/);
  });
});

describe('reading and writing small files', () => {
  it('writeText is whole or nothing (no temp file left), readText is null when absent', async () => {
    expect(await dest.readText('m.json')).toBeNull();
    await dest.writeText('m.json', '{"a":1}\n');
    expect(fs.readdirSync(dir)).toEqual(['m.json']);
    expect(await dest.readText('m.json')).toBe('{"a":1}\n');
    expect((await dest.readRange('m.json', 1, 3)).toString()).toBe('"a"');
    expect((await dest.readRange('m.json', 5, 100)).toString()).toBe('1}\n');
  });

  it('check creates a missing folder and proves it writable; it refuses a file in the way', async () => {
    const nested = new LocalDestination(path.join(dir, 'a', 'b'));
    await nested.check();
    expect(fs.readdirSync(path.join(dir, 'a', 'b'))).toEqual([]);
    fs.writeFileSync(path.join(dir, 'file'), '');
    await expect(new LocalDestination(path.join(dir, 'file')).check()).rejects.toMatchObject({ code: expect.stringMatching(/EEXIST|ENOTDIR/) });
    expect(await nested.freeBytes()).toBeGreaterThan(0);
  });

  it('remove deletes a file or a folder tree; one already gone is fine', async () => {
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'd', 'toc.dat'), 'x');
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    await dest.remove('d');
    await dest.remove('f');
    await dest.remove('gone');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
