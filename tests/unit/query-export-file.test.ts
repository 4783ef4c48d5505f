// The file side of exports and the shared CSV/JSON row formats, without a server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportFile, exportBaseName, sanitizeFileName } from '../../src-main/core/platform/fs/export-file';
import { PassThrough } from 'node:stream';
import { CsvRecordCounter } from '../../src-main/core/query/copy-csv';
import { CopyOutStream } from '../../src-main/core/query/copy-out';
import { csvField, csvLines, csvRecord, jsonKeys, jsonRowWriter } from '../../src-main/core/query/formats';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-export-file-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('formats', () => {
  it('writes CSV fields as COPY (FORMAT csv) does', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(' padded ')).toBe(' padded ');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(12)).toBe('12');
    expect(csvField(false)).toBe('f');
    expect(csvField(true)).toBe('t');
    // COPY's end-of-data marker is quoted only where it could stand alone on a line.
    expect(csvField('\\.')).toBe('\\.');
    expect(csvField('\\.', true)).toBe('"\\."');
    expect(csvRecord(['x', null, 'y,z'])).toBe('x,,"y,z"\n');
    expect(csvRecord(['\\.'])).toBe('"\\."\n');
    expect(csvRecord(['\\.', '\\.'])).toBe('\\.,\\.\n');
    expect(csvRecord([])).toBe('\n');
  });

  it("counts COPY's CSV records whatever the chunks cut: quoted line breaks and doubled quotes are not record ends", () => {
    const text = csvLines([
      ['a', 'b'],
      ['1', 'two\nlines'],
      ['2', 'say "hi"\n'],
      ['3', null],
      ['4', '"\n"'],
    ]);
    for (const size of [1, 2, 3, 7, text.length]) {
      const counter = new CsvRecordCounter();
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += size) counter.push(bytes.subarray(at, at + size));
      expect(counter.records, `chunks of ${size}`).toBe(5);
    }
  });

  it('reads COPY data off the socket however it is cut, and hands pg everything from CopyDone on', async () => {
    const message = (type: string, body: Buffer) => {
      const head = Buffer.alloc(5);
      head.write(type, 0, 'latin1');
      head.writeUInt32BE(body.length + 4, 1);
      return Buffer.concat([head, body]);
    };
    const rows = ['a,b\n', '1,"x\ny"\n', `2,${'z'.repeat(200)}\n`];
    const tail = Buffer.concat([message('c', Buffer.alloc(0)), message('C', Buffer.from('COPY 2\0')), message('Z', Buffer.from('I'))]);
    const wire = Buffer.concat([
      message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
      message('d', Buffer.from(rows[0]!)),
      message('S', Buffer.from('TimeZone\0UTC\0')),
      message('d', Buffer.from(rows[1]!)),
      message('N', Buffer.from('notice\0')),
      message('d', Buffer.from(rows[2]!)),
      tail,
    ]);
    for (const size of [1, 2, 3, 5, 7, 64, wire.length]) {
      const socket = new PassThrough();
      const handedBack: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => handedBack.push(chunk));
      const copy = new CopyOutStream('COPY …');
      const sent: string[] = [];
      copy.submit({ stream: socket, query: (text) => sent.push(text) });
      expect(sent).toEqual(['COPY …']);
      // A socket hands each read over in a buffer of its own, which the reader compacts in place.
      for (let at = 0; at < wire.length; at += size) socket.write(Buffer.from(wire.subarray(at, at + size)));
      copy.handleCommandComplete({ text: 'COPY 2' });
      copy.handleReadyForQuery();
      const out: Buffer[] = [];
      for await (const chunk of copy) out.push(chunk as Buffer);
      expect(Buffer.concat(out).toString(), `chunks of ${size}`).toBe(rows.join(''));
      expect(Buffer.concat(handedBack).equals(tail), `chunks of ${size}`).toBe(true);
      expect(copy.rowCount).toBe(2);
    }
  });

  it('writes one JSON object per row, nested json kept exact, repeated names made unique', () => {
    expect(jsonKeys(['id', 'id', 'name', 'id'])).toEqual(['id', 'id_2', 'name', 'id_3']);
    const encode = jsonRowWriter(['id', 'big', 'doc', 'id'], [false, false, true, false]);
    const line = encode([1, '9007199254740993', '{"n": 12345678901234567890,\n "s": "a"}', null]);
    expect(line).not.toContain('\n');
    expect(line).toBe('{"id":1,"big":"9007199254740993","doc":{"n": 12345678901234567890,  "s": "a"},"id_2":null}');
    expect(JSON.parse(line)).toMatchObject({ id: 1, big: '9007199254740993', doc: { s: 'a' }, id_2: null });
  });
});

describe('export file names', () => {
  it('sanitizes the profile name and stamps local time', () => {
    expect(sanitizeFileName('Prod / EU (main)')).toBe('Prod_EU_main');
    expect(sanitizeFileName('../../etc')).toBe('etc');
    expect(sanitizeFileName('¿?')).toBe('export');
    expect(exportBaseName('shop', new Date(2025, 0, 2, 3, 4, 5))).toBe('shop_20250102-030405');
  });

  it('never reuses a taken name: existing files and partials get -1, -2', async () => {
    fs.writeFileSync(path.join(dir, 'x.csv'), 'keep me');
    fs.writeFileSync(path.join(dir, 'x-1.csv.partial'), 'someone else is writing');
    const file = await ExportFile.create(dir, 'x', 'csv');
    expect(file.partialPath).toBe(path.join(dir, 'x-2.csv.partial'));
    await file.write('a,b\r\n');
    await file.finish();
    // Taken meanwhile: publishing moves on rather than replacing it.
    fs.writeFileSync(path.join(dir, 'x-2.csv'), 'arrived meanwhile');
    const final = await file.publish();
    expect(final).toBe(path.join(dir, 'x-3.csv'));
    expect(fs.readFileSync(final, 'utf8')).toBe('a,b\r\n');
    expect(fs.readFileSync(path.join(dir, 'x.csv'), 'utf8')).toBe('keep me');
    expect(fs.readFileSync(path.join(dir, 'x-2.csv'), 'utf8')).toBe('arrived meanwhile');
    expect(fs.existsSync(file.partialPath)).toBe(false);
    expect(file.bytes).toBe(5);
  });

  it('counts bytes as written (UTF-8) and waits for drain on large writes', async () => {
    const file = await ExportFile.create(dir, 'big', 'json');
    const chunk = 'é'.repeat(600_000); // 1.2 MB: over the stream's high-water mark
    for (let i = 0; i < 5; i++) await file.write(chunk);
    await file.finish();
    const final = await file.publish();
    expect(fs.statSync(final).size).toBe(file.bytes);
    expect(file.bytes).toBe(6_000_000);
  });

  it('discard removes the partial and leaves nothing behind', async () => {
    const file = await ExportFile.create(dir, 'gone', 'csv');
    await file.write('half');
    await file.discard();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('a full disk', () => {
  it.skipIf(!fs.existsSync('/dev/full'))('rejects the write or finish with ENOSPC, and discard cleans up', async () => {
    const partial = path.join(dir, 'full.csv.partial');
    fs.writeFileSync(partial, '');
    const handle = await fs.promises.open('/dev/full', 'w');
    const file = new ExportFile(handle, partial, () => path.join(dir, 'full.csv'), 0);
    const attempt = async () => {
      for (let i = 0; i < 50; i++) await file.write('x'.repeat(64 * 1024));
      await file.finish();
    };
    await expect(attempt()).rejects.toMatchObject({ code: 'ENOSPC' });
    await file.discard();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
