// Restore argument building and the parsers that read pg_restore's output, TOC listings
// and plain scripts, on text pg_restore/pg_dump 15 really print (LC_MESSAGES=C).
import { describe, expect, it } from 'vitest';
import { parseTocLine, parseTocListing, PlainScanner } from '../../src-main/core/restore/dump-reader';
import { restoreArgs } from '../../src-main/core/restore/plan';
import { expectedItems, parseRestoreLine } from '../../src-main/core/restore/restore-process';

const conn = { host: 'db.example.com', port: 6543, user: 'dba', database: 'shop copy' };
const base = { jobs: 1, noOwner: false, noPrivileges: false, clean: false };

describe('restoreArgs', () => {
  it('custom: verbose, exit on error, connection, then the archive last', () => {
    const { tool, args } = restoreArgs({ format: 'custom', path: '/b/shop.dump' }, base, conn);
    expect(tool).toBe('pg_restore');
    expect(args).toEqual(['--verbose', '--exit-on-error', '-h', 'db.example.com', '-p', '6543', '-U', 'dba', '-d', 'shop copy', '/b/shop.dump']);
  });

  it('directory: parallel jobs, no owner, no privileges, clean with if-exists', () => {
    const { args } = restoreArgs({ format: 'directory', path: '/b/shop' }, { jobs: 4, noOwner: true, noPrivileges: true, clean: true }, conn);
    expect(args.slice(0, 9)).toEqual(['--verbose', '--exit-on-error', '-j', '4', '--no-owner', '--no-privileges', '--clean', '--if-exists', '-h']);
    expect(args[args.length - 1]).toBe('/b/shop');
  });

  it('plain: psql without psqlrc, stopping at the first error, in one transaction, the script not in argv', () => {
    const { tool, args } = restoreArgs({ format: 'plain', path: '/b/shop.sql' }, { ...base, jobs: 3, clean: true }, conn);
    expect(tool).toBe('psql');
    expect(args).toEqual(['-X', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-h', 'db.example.com', '-p', '6543', '-U', 'dba', '-d', 'shop copy']);
  });

  it('passes a database name libpq would read as a connection string as dbname=…', () => {
    const { args } = restoreArgs({ format: 'custom', path: '/x' }, base, { ...conn, database: "a=b'c" });
    expect(args[args.indexOf('-d') + 1]).toBe("dbname='a=b\\'c'");
  });
});

describe('parseRestoreLine', () => {
  it('counts one item per object pg_restore creates, loads or executes', () => {
    expect(parseRestoreLine('pg_restore: creating TABLE "public.orders"')).toEqual({ kind: 'item', label: 'TABLE "public.orders"' });
    expect(parseRestoreLine('pg_restore: processing data for table "public.orders"')).toEqual({ kind: 'item', label: 'public.orders' });
    expect(parseRestoreLine('pg_restore: executing SEQUENCE SET orders_id_seq')).toEqual({ kind: 'item', label: 'SEQUENCE SET orders_id_seq' });
  });

  it('treats parallel bookkeeping and connection chatter as info, not items', () => {
    expect(parseRestoreLine('pg_restore: launching item 3384 TABLE DATA public orders').kind).toBe('info');
    expect(parseRestoreLine('pg_restore: finished item 3384 TABLE DATA public orders').kind).toBe('info');
    expect(parseRestoreLine('pg_restore: connecting to database for restore').kind).toBe('info');
  });

  it('keeps errors from pg_restore and psql for the failure message', () => {
    expect(parseRestoreLine('pg_restore: error: could not execute query: ERROR:  relation "orders" already exists').kind).toBe('problem');
    expect(parseRestoreLine('Command was: CREATE TABLE public.orders (').kind).toBe('problem');
    expect(parseRestoreLine('psql:<stdin>:120: ERROR:  injected failure').kind).toBe('problem');
    expect(parseRestoreLine('psql:<stdin>:7: NOTICE:  extension "x" already exists, skipping').kind).toBe('info');
  });
});

describe('TOC listings', () => {
  const listing = [
    ';',
    '; Archive created at 2026-05-01 10:00:00 UTC',
    ';     dbname: shop',
    ';     TOC Entries: 9',
    ';     Dumped from database version: 15.8 (Debian 15.8-1.pgdg120+1)',
    ';     Dumped by pg_dump version: 15.10 (Debian 15.10-1.pgdg120+1)',
    ';',
    '; Selected TOC Entries:',
    ';',
    '2; 3079 16385 EXTENSION - pg_stat_statements ',
    '3418; 0 0 COMMENT - EXTENSION pg_stat_statements ',
    '6; 2615 16390 SCHEMA - sales shop',
    '215; 1255 16400 FUNCTION public order_weight(integer, text) shop',
    '216; 1259 16401 TABLE public orders shop',
    '217; 1259 16402 TABLE sales "Odd Name" shop',
    '3361; 0 16401 TABLE DATA public orders shop',
    '3200; 2606 16410 FK CONSTRAINT public order_items order_items_order_id_fkey shop',
  ].join('\n');

  it('reads the versions and creation time from the header', () => {
    const { header } = parseTocListing(listing);
    expect(header).toEqual({
      serverVersion: '15.8 (Debian 15.8-1.pgdg120+1)',
      pgDumpVersion: '15.10 (Debian 15.10-1.pgdg120+1)',
      createdAt: '2026-05-01 10:00:00 UTC',
    });
  });

  it('splits entries into type, schema, name and owner', () => {
    const { items } = parseTocListing(listing);
    expect(items).toHaveLength(8);
    expect(items[0]).toEqual({ type: 'EXTENSION', schema: null, name: 'pg_stat_statements', owner: null });
    expect(items[3]).toEqual({ type: 'FUNCTION', schema: 'public', name: 'order_weight(integer, text)', owner: 'shop' });
    expect(parseTocLine('3361; 0 16401 TABLE DATA public orders shop')).toEqual({ type: 'TABLE DATA', schema: 'public', name: 'orders', owner: 'shop' });
    expect(items[7]).toEqual({ type: 'FK CONSTRAINT', schema: 'public', name: 'order_items order_items_order_id_fkey', owner: 'shop' });
  });

  it('counts progress items without the entries pg_restore never announces, or ACLs it skips', () => {
    const objects = { ENCODING: 1, STDSTRINGS: 1, SEARCHPATH: 1, TABLE: 3, 'TABLE DATA': 3, ACL: 2 };
    expect(expectedItems({ objects, tocEntries: 11 }, ['--no-privileges'])).toBe(6);
    expect(expectedItems({ objects, tocEntries: 11 }, [])).toBe(8);
  });
});

describe('plain script scan', () => {
  it('reads versions, entries, exact COPY row counts and grantees', () => {
    const scanner = new PlainScanner();
    const script = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '-- Dumped from database version 15.8',
      '-- Dumped by pg_dump version 15.10',
      '-- Name: orders; Type: TABLE; Schema: public; Owner: shop',
      'CREATE TABLE public.orders (id integer);',
      '-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: shop',
      'COPY public.orders (id) FROM stdin;',
      '1',
      '2',
      '-- not a comment: a row',
      '\\.',
      '-- Data for Name: empty; Type: TABLE DATA; Schema: public; Owner: shop',
      'COPY public.empty (id) FROM stdin;',
      '\\.',
      'GRANT SELECT ON TABLE public.orders TO reporting, "Odd Role";',
    ];
    for (const line of script) scanner.line(line);
    const result = scanner.result();
    expect(result.header).toEqual({ serverVersion: '15.8', pgDumpVersion: '15.10', createdAt: null });
    expect(result.items.map((i) => `${i.type} ${i.schema}.${i.name}`)).toEqual(['TABLE public.orders', 'TABLE DATA public.orders', 'TABLE DATA public.empty']);
    expect(Object.fromEntries(result.rows)).toEqual({ 'public.orders': 3, 'public.empty': 0 });
    expect(result.grantees).toEqual(['reporting', 'Odd Role']);
  });
});
