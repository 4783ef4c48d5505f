// A snapshot's object files are named by content: hostile keys cannot reach a local path.
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isObjectFileOf, objectFile, objectPath, snapshotName } from '../../src-main/core/storage/paths';

const HOSTILE_KEYS = [
  '../../../etc/passwd',
  '/etc/shadow',
  '..',
  'a/../../b',
  'C:\\Windows\\system32',
  'dir/ü ñ 😀 space.png',
  'x'.repeat(2000),
  'nul\u0000byte',
  '~/.ssh/id_rsa',
];

describe('storage snapshot paths', () => {
  it('puts every object, whatever its key, at objects/<sha> inside the folder', () => {
    const folder = '/snapshots/prod/2026-12-06T00-00-00-000Z.partial';
    for (const key of HOSTILE_KEYS) {
      const sha = crypto.createHash('sha256').update(key).digest('hex');
      const file = objectFile(sha);
      expect(file).toBe(`objects/${sha}`);
      const abs = objectPath(folder, file);
      expect(path.relative(folder, abs).startsWith('..')).toBe(false);
      expect(path.dirname(abs)).toBe(path.join(folder, 'objects'));
      expect(isObjectFileOf(file, sha)).toBe(true);
      expect(abs).not.toContain(key);
    }
  });

  it('refuses anything but a hex sha256, from the writer and from a manifest read back', () => {
    for (const bad of [...HOSTILE_KEYS, 'A'.repeat(64), 'a'.repeat(63), '']) expect(() => objectFile(bad)).toThrow(/not a sha256/);
    const sha = 'ab' + 'c'.repeat(62);
    // Today's flat layout and the fan-out of snapshots taken before it are both read back.
    expect(objectPath('/f', `objects/${sha}`)).toBe(`/f/objects/${sha}`);
    expect(objectPath('/f', `objects/ab/${sha}`)).toBe(`/f/objects/ab/${sha}`);
    const bad = [
      `objects/cd/${sha}`,
      `objects/ab/../../${sha}`,
      `objects/../${sha}`,
      `/objects/ab/${sha}`,
      `/objects/${sha}`,
      `../objects/ab/${sha}`,
      `../objects/${sha}`,
      'manifest.json',
      `objects/ab/${sha}/x`,
      `objects/${sha}/x`,
      `objects/${sha.toUpperCase()}`,
      `objects/a/${sha}`,
      `objects/abc/${sha}`,
    ];
    for (const file of bad) {
      expect(() => objectPath('/f', file)).toThrow(/not a snapshot object file/);
      expect(isObjectFileOf(file, sha)).toBe(false);
    }
    // A file must be the address of the manifest's own sha256, in either layout.
    expect(isObjectFileOf(`objects/${sha}`, sha)).toBe(true);
    expect(isObjectFileOf(`objects/ab/${sha}`, sha)).toBe(true);
    expect(isObjectFileOf(`objects/${sha}`, 'ab' + 'd'.repeat(62))).toBe(false);
    expect(isObjectFileOf(42, sha)).toBe(false);
    expect(isObjectFileOf(`objects/${sha}`, undefined)).toBe(false);
  });

  it('names a snapshot by its UTC start, sortable and portable', () => {
    expect(snapshotName(new Date(Date.UTC(2026, 11, 6, 3, 4, 5, 6)))).toBe('2026-12-06T03-04-05-006Z');
  });
});
