// ops-console backups copy ID --to DESTINATION [--json]   (cli.md, fixed; ID: a backup's or a storage snapshot's)
// ops-console offsite add NAME --endpoint URL --bucket B [--region R] [--prefix P] --access-key-id ID [--virtual-host] [--encrypt] [--json]
// ops-console offsite list [--json] | offsite test NAME [--json] | offsite remove NAME [--yes] [--json]
// ops-console offsite retention NAME (--keep-last N [--keep-daily N] [--keep-weekly N] [--keep-monthly N] | --none) [--json]
// The CLI keeps no secret: the secret access key comes from OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY
// on every run (the core's offsite secrets read it), never from argv; so does the encryption key
// (OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY). `add --encrypt` with that variable set uses its key,
// else prints the generated key once.
import crypto from 'node:crypto';
import type { AppEvent } from '../../contract/operations';
import { stageJobIdFor } from '../../contract/offsite';
import { OFFSITE_ENV } from '../../core/offsite';
import { formatMegabytes } from '../../core/platform/text/bytes';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { confirm, EXIT, printJson, table } from '../io';
import { cancelOnSignal, linesOf, showProgress, withProgress } from '../job-progress';

export const OFFSITE_USAGE = {
  copy: 'ops-console backups copy ID --to DESTINATION [--json]',
  prune: 'ops-console backups prune --destination DESTINATION [--dry-run] [--yes] [--confirm NAME] [--json]',
  add: 'ops-console offsite add NAME --endpoint URL --bucket B [--region R] [--prefix P] --access-key-id ID [--virtual-host] [--encrypt] [--json]',
  list: 'ops-console offsite list [--json]',
  test: 'ops-console offsite test NAME [--json]',
  remove: 'ops-console offsite remove NAME [--yes] [--json]',
  retention: 'ops-console offsite retention NAME (--keep-last N [--keep-daily N] [--keep-weekly N] [--keep-monthly N] | --none) [--json]',
};

export async function backupsCopy(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { to: { type: 'string' } });
  const [id] = expectPositionals(parsed, ['ID'], OFFSITE_USAGE.copy);
  const to = stringFlag(parsed, 'to');
  if (to === undefined) throw new UsageError(`--to DESTINATION is required\nusage: ${OFFSITE_USAGE.copy}`);
  // Progress on stderr (a terminal, not --json); Ctrl-C cancels: the upload is aborted and the call ends CANCELLED.
  const jobId = crypto.randomUUID();
  const line = linesOf('offsite.progress', jobId, (e) => {
    const eta = e.etaSeconds === null ? '' : `  ETA ${e.etaSeconds} s`;
    return `${e.phase === 'upload' ? 'uploading' : 'verifying'} ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}${eta}`;
  });
  const r = await withProgress(
    ctx,
    { line, quietWithJson: true },
    () => ctx.call('cancelOffsiteCopy', { jobId }),
    () => ctx.call('copyBackupOffsite', { backupId: id!, destination: to, jobId }),
  );
  if (ctx.io.json)
    printJson(ctx.io, {
      ok: r.ok,
      id: r.id,
      backupId: r.backupId,
      destination: r.destination,
      key: r.key,
      bytes: r.bytes,
      sha256: r.sha256,
      encrypted: r.encrypted,
      keyId: r.keyId,
      durationMs: r.durationMs,
      verified: r.verified,
      // A storage snapshot's copy (the ID was a snapshot's): what it names and what this run sent.
      ...(r.kind === 'storage' ? { kind: r.kind, objects: r.objects, uploadedObjects: r.uploadedObjects ?? 0 } : {}),
    });
  else
    ctx.io.out(
      r.alreadyThere
        ? `already there: ${r.destination}:${r.key} (same sha256 ${r.sha256})`
        : r.kind === 'storage'
          ? `copied storage snapshot to ${r.destination}:${r.key} (${r.objects ?? 0} objects, ${r.uploadedObjects ?? 0} sent, each read back and verified)`
          : `copied to ${r.destination}:${r.key} (${r.bytes} bytes, read back and verified, sha256 ${r.sha256})`,
    );
  return EXIT.ok;
}

/**
 * While a restore or drill of catalog backup `source` starts: when its dump is fetched back
 * from offsite, the download's bytes and ETA on stderr (rewritten in place on a terminal, else
 * a line every few seconds and the last one; never on stdout, so --json stays one document),
 * and Ctrl-C stops the download (the restore or drill then fails CANCELLED). Returns the stop.
 */
export function followOffsiteStaging(ctx: CliContext, source: string): () => void {
  const jobId = stageJobIdFor(source);
  const line = linesOf('offsite.progress', jobId, (e) => {
    if (e.phase !== 'download') return null;
    const eta = e.etaSeconds === null ? '' : `  ETA ${e.etaSeconds} s`;
    return `downloading from offsite ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}${eta}`;
  });
  // Without a terminal: a line every 3 s, and the last one (its key changes), which shows the whole copy.
  const last = (e: AppEvent): string => (e.type === 'offsite.progress' && e.bytesDone >= e.bytesTotal ? 'done' : '');
  const stopProgress = showProgress(ctx, { line, plain: { everyMs: 3000, key: last } });
  const release = cancelOnSignal(() => void ctx.call('cancelOffsiteCopy', { jobId }).catch(() => undefined));
  return () => {
    stopProgress();
    release();
  };
}

/** Preview first (always); --dry-run stops there, else confirm (--yes without a terminal; --confirm NAME for production copies) and prune. */
export async function backupsPrune(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { destination: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, confirm: { type: 'string' } });
  expectPositionals(parsed, [], OFFSITE_USAGE.prune);
  const destination = stringFlag(parsed, 'destination');
  if (destination === undefined) throw new UsageError(`--destination DESTINATION is required\nusage: ${OFFSITE_USAGE.prune}`);
  const preview = await ctx.call('pruneOffsite', { destination, dryRun: true });
  const show = (r: typeof preview): void => {
    if (ctx.io.json) printJson(ctx.io, r);
    else
      ctx.io.out(
        [
          ...r.prune.map((p) => `${r.dryRun ? 'would delete' : 'deleted'}  ${p.key}`),
          ...r.keep.map((k) => `keep          ${k.key}  (${k.reasons.join('; ')})`),
        ].join('\n') || 'nothing on this destination',
      );
  };
  if (boolFlag(parsed, 'dry-run') || preview.prune.length === 0) {
    show(preview);
    return EXIT.ok;
  }
  const production = preview.prune.some((p) => p.production);
  const confirmFlag = stringFlag(parsed, 'confirm');
  await confirm(ctx.io, {
    question: `Delete ${preview.prune.length} offsite cop${preview.prune.length === 1 ? 'y' : 'ies'} from ${preview.destination}?`,
    yes: boolFlag(parsed, 'yes'),
    production,
    profileName: preview.destination,
    ...(confirmFlag !== undefined ? { confirmFlag } : {}),
  });
  const done = await ctx.call('pruneOffsite', { destination, dryRun: false, ...(production ? { confirmName: confirmFlag ?? preview.destination } : {}) });
  show(done);
  return EXIT.ok;
}

async function add(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    endpoint: { type: 'string' },
    bucket: { type: 'string' },
    region: { type: 'string' },
    prefix: { type: 'string' },
    'access-key-id': { type: 'string' },
    'virtual-host': { type: 'boolean' },
    encrypt: { type: 'boolean' },
  });
  const [name] = expectPositionals(parsed, ['NAME'], OFFSITE_USAGE.add);
  const secret = process.env[OFFSITE_ENV.access];
  const encrypt = boolFlag(parsed, 'encrypt');
  const givenKey = encrypt ? process.env[OFFSITE_ENV.encryption] : undefined;
  const d = await ctx.call('createOffsiteDestination', {
    name: name!,
    endpoint: stringFlag(parsed, 'endpoint') ?? '',
    bucket: stringFlag(parsed, 'bucket') ?? '',
    accessKeyId: stringFlag(parsed, 'access-key-id') ?? '',
    ...(stringFlag(parsed, 'region') !== undefined ? { region: stringFlag(parsed, 'region') } : {}),
    ...(stringFlag(parsed, 'prefix') !== undefined ? { prefix: stringFlag(parsed, 'prefix') } : {}),
    forcePathStyle: !boolFlag(parsed, 'virtual-host'),
    ...(secret ? { secretAccessKey: secret } : {}),
    ...(encrypt ? { encrypt: true } : {}),
    ...(givenKey ? { encryptionKey: givenKey } : {}),
  });
  if (ctx.io.json) printJson(ctx.io, d);
  else {
    ctx.io.out(
      `offsite destination ${d.name}: ${d.endpoint} bucket ${d.bucket}${d.prefix ? ` prefix ${d.prefix}` : ''} (secret access key: ${OFFSITE_ENV.access})`,
    );
    if (d.encrypt) ctx.io.out(`copies are encrypted with key ${d.keyId}${d.generatedKey === undefined ? ` (from ${OFFSITE_ENV.encryption})` : ''}`);
    // The one time the key is shown: the core never returns it again.
    if (d.generatedKey !== undefined) ctx.io.out(`\nencryption key (shown once): ${d.generatedKey}\n`);
    if (d.keyWarning !== undefined) ctx.io.out(`WARNING: ${d.keyWarning}`);
  }
  return EXIT.ok;
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}), [], OFFSITE_USAGE.list);
  const { destinations } = await ctx.call('listOffsiteDestinations', {});
  if (ctx.io.json) printJson(ctx.io, { destinations });
  else
    ctx.io.out(
      table(
        destinations.map((d) => ({ ...d, retention: d.retention ? JSON.stringify(d.retention) : null })),
        ['name', 'endpoint', 'bucket', 'prefix', 'encrypt', 'hasSecret'],
      ),
    );
  return EXIT.ok;
}

async function test(ctx: CliContext, argv: string[]): Promise<number> {
  const [name] = expectPositionals(parseArgs(argv, {}), ['NAME'], OFFSITE_USAGE.test);
  const r = await ctx.call('testOffsiteDestination', { id: name! });
  if (ctx.io.json) printJson(ctx.io, r);
  else ctx.io.out(`ok: bucket ${r.bucket} at ${r.endpoint} readable and writable (${r.durationMs} ms)`);
  return EXIT.ok;
}

async function remove(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' } });
  const [name] = expectPositionals(parsed, ['NAME'], OFFSITE_USAGE.remove);
  const d = await ctx.call('getOffsiteDestination', { id: name! });
  await confirm(ctx.io, {
    question: `Forget offsite destination ${d.name}? (objects in ${d.bucket} are kept)`,
    yes: boolFlag(parsed, 'yes'),
    production: false,
    profileName: d.name,
  });
  await ctx.call('deleteOffsiteDestination', { id: d.id });
  if (ctx.io.json) printJson(ctx.io, { removed: true, name: d.name });
  else ctx.io.out(`forgot offsite destination ${d.name}`);
  return EXIT.ok;
}

const KEEP_FLAGS = { 'keep-last': 'keepLast', 'keep-daily': 'keepDaily', 'keep-weekly': 'keepWeekly', 'keep-monthly': 'keepMonthly' } as const;

/** Sets (or with --none clears) the destination's retention policy; `backups prune` applies it. */
async function retention(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    'keep-last': { type: 'string' },
    'keep-daily': { type: 'string' },
    'keep-weekly': { type: 'string' },
    'keep-monthly': { type: 'string' },
    none: { type: 'boolean' },
  });
  const [name] = expectPositionals(parsed, ['NAME'], OFFSITE_USAGE.retention);
  const given = Object.keys(KEEP_FLAGS).filter((flag) => stringFlag(parsed, flag) !== undefined);
  if (boolFlag(parsed, 'none') === given.length > 0) throw new UsageError(`give --keep-* counts or --none\nusage: ${OFFSITE_USAGE.retention}`);
  const policy = { keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 };
  for (const [flag, field] of Object.entries(KEEP_FLAGS)) policy[field] = intFlag(parsed, flag, { min: 0, max: 1000 }) ?? 0;
  const d = await ctx.call('getOffsiteDestination', { id: name! });
  const saved = await ctx.call('setOffsiteRetention', { id: d.id, policy: boolFlag(parsed, 'none') ? null : policy });
  if (ctx.io.json) printJson(ctx.io, { name: saved.name, retention: saved.retention });
  else
    ctx.io.out(
      saved.retention
        ? `retention of ${saved.name}: keep last ${saved.retention.keepLast}, daily ${saved.retention.keepDaily}, weekly ${saved.retention.keepWeekly}, monthly ${saved.retention.keepMonthly}`
        : `retention of ${saved.name}: none (prune deletes nothing)`,
    );
  return EXIT.ok;
}

export async function offsiteCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(ctx, rest);
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'test') return test(ctx, rest);
  if (sub === 'remove') return remove(ctx, rest);
  if (sub === 'retention') return retention(ctx, rest);
  throw new UsageError(`unknown offsite command "${sub ?? ''}"\nusage:\n  ${Object.values(OFFSITE_USAGE).slice(1).join('\n  ')}`);
}
