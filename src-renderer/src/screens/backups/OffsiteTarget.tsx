// "Write straight to an offsite destination" in the backup wizard (issue #18): the choice of
// where the dump goes, what the review says about it, and the run. backupToOffsite answers
// only when the backup ended (read back and checked), so the run follows it like a copy:
// `offsite.progress` events by the jobId we pass (upload, total unknown while pg_dump
// streams; then verify), cancelled with cancelOffsiteCopy.
import { Alert, Button, Code, Group, Progress, Radio, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { BackupEntry, BackupOptionsInput, BackupPlan } from '@contract/backup';
import type { CopyResult, OffsiteDestination, OffsiteProgressEvent } from '@contract/offsite';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatBytes } from '../../shared/format/numbers';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { fileNameOf, verificationText, type WizardState } from './backup-wizard-model';

/** The offsite destinations, read again whenever `refreshKey` changes (one may be added below the wizard). */
export function useOffsiteDestinations(refreshKey: number) {
  const [destinations, setDestinations] = useState<OffsiteDestination[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    let live = true;
    api
      .listOffsiteDestinations({})
      .then((answer) => {
        if (!live) return;
        setDestinations(answer.destinations);
        setError(null);
      })
      .catch((err: unknown) => {
        if (live) setError(toShownError(err));
      });
    return () => {
      live = false;
    };
  }, [refreshKey]);
  return { destinations, error };
}

const LOCAL = '__local__';

/** This computer (a folder) or one of the destinations; a directory backup is a folder, so local only. */
export function TargetChoice({
  state,
  onChange,
  destinations,
  error,
}: {
  state: WizardState;
  onChange: (next: WizardState) => void;
  destinations: OffsiteDestination[];
  error: ShownError | null;
}) {
  const directory = state.format === 'directory';
  return (
    <Stack gap={4}>
      <Radio.Group label="Write the backup to" value={state.offsite ?? LOCAL} onChange={(v) => onChange({ ...state, offsite: v === LOCAL ? null : v })}>
        <Stack gap="xs" mt="xs">
          <Radio value={LOCAL} label="This computer (folder)" />
          {destinations.map((d) => (
            <Radio
              key={d.id}
              value={d.name}
              label={`Offsite destination: ${d.name}`}
              description={`s3://${[d.bucket, d.prefix].filter(Boolean).join('/')}${d.encrypt ? ', encrypted' : ''}: nothing is kept on this computer`}
              disabled={directory}
            />
          ))}
        </Stack>
      </Radio.Group>
      {directory && destinations.length > 0 ? (
        <Text size="xs" c="dimmed">
          A directory-format backup is a folder of files and cannot be streamed offsite: choose custom or plain at the Format step to write offsite.
        </Text>
      ) : null}
      {destinations.length === 0 && !error ? (
        <Text size="xs" c="dimmed">
          No offsite destination yet: add one under Offsite destinations below to write a backup straight there.
        </Text>
      ) : null}
      {error ? <ErrorAlert title="The offsite destinations could not be read" error={error} /> : null}
    </Stack>
  );
}

/**
 * The object the backup becomes, as core/offsite's objectKeyFor names it (prefix, profile,
 * file name; `.enc` when encrypted): the renderer cannot import the core. The file name is the
 * plan's, and the start passes it back (fileName), so the object is named exactly this.
 */
export function offsiteKeyOf(d: OffsiteDestination, profileName: string, plan: Pick<BackupPlan, 'path'>): string {
  const profile = profileName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return [d.prefix, profile, fileNameOf(plan.path)].filter((s) => s !== '').join('/') + (d.encrypt ? '.enc' : '');
}

/** Review: where it will be written, instead of the local file. */
export function OffsiteReviewRows({ destination, profileName, plan }: { destination: OffsiteDestination; profileName: string; plan: BackupPlan }) {
  return (
    <Table.Tr>
      <Table.Th>Written to</Table.Th>
      <Table.Td>
        <Code>{`s3://${destination.bucket}/${offsiteKeyOf(destination, profileName, plan)}`}</Code>
        <Text size="xs" c="dimmed">
          Offsite destination {destination.name} at {destination.endpoint}
          {destination.encrypt ? ', encrypted before it leaves this computer' : ''}. Streamed straight there: nothing is kept on this computer. It is read back
          and checked before it counts.
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export interface DirectRun {
  busy: boolean;
  progress: OffsiteProgressEvent | null;
  result: { backup: BackupEntry; copy: CopyResult } | null;
  error: ShownError | null;
}

const IDLE: DirectRun = { busy: false, progress: null, result: null, error: null };

export function useDirectOffsite(onFinished: (entry: BackupEntry) => void) {
  const [run, setRun] = useState<DirectRun>(IDLE);
  const [jobId, setJobId] = useState<string | null>(null);

  useEffect(() => {
    if (jobId === null) return undefined;
    return api.onEvent((event) => {
      if (event.type === 'offsite.progress' && event.jobId === jobId) setRun((r) => ({ ...r, progress: event }));
    });
  }, [jobId]);

  const start = useCallback(
    async (options: BackupOptionsInput, destination: string, fileName: string) => {
      const id = crypto.randomUUID();
      setRun({ ...IDLE, busy: true });
      setJobId(id);
      try {
        const result = await api.backupToOffsite({ ...options, destination, jobId: id, fileName });
        setRun({ ...IDLE, result });
        onFinished(result.backup);
      } catch (err) {
        setRun({ ...IDLE, error: toShownError(err) });
      } finally {
        setJobId(null);
      }
    },
    [onFinished],
  );

  const cancel = useCallback(() => {
    if (jobId !== null) void api.cancelOffsiteCopy({ jobId }).catch((err: unknown) => setRun((r) => ({ ...r, error: toShownError(err) })));
  }, [jobId]);

  const reset = useCallback(() => setRun(IDLE), []);
  return { run, start, cancel, reset };
}

function progressText(p: OffsiteProgressEvent | null): string {
  if (p === null) return 'Starting pg_dump and the upload…';
  if (p.phase === 'upload') return `Uploading: ${formatBytes(p.bytesDone)} sent so far (the size is known when pg_dump ends)`;
  return `Reading back to verify: ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`;
}

/** The run: progress with Cancel, then the backup (verified) and its copy, or why it failed. */
export function DirectOffsiteRun({ run, onCancel, onNew }: { run: DirectRun; onCancel: () => void; onNew: () => void }) {
  const { busy, progress, result, error } = run;
  const verifyPercent = progress?.phase === 'verify' && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : null;
  return (
    <Stack gap="sm" aria-label="Offsite backup run">
      {busy ? (
        <Stack gap={4} role="region" aria-label="Offsite backup progress">
          <Group justify="space-between">
            <Text size="sm" role="status">
              {progressText(progress)}
            </Text>
            <Button size="xs" variant="default" color="red" onClick={onCancel}>
              Cancel
            </Button>
          </Group>
          <Progress
            value={verifyPercent ?? 100}
            animated={verifyPercent === null}
            striped={verifyPercent === null}
            aria-label={progress?.phase === 'verify' ? 'Verify progress' : 'Upload progress'}
          />
        </Stack>
      ) : null}
      {result ? (
        <div role="region" aria-label="Offsite backup result">
          <Alert color="green" variant="light" title="Backup written offsite and verified">
            <Stack gap={2}>
              <Text size="sm">
                {fileNameOf(result.backup.path)} · {formatBytes(result.copy.bytes)} · verified {verificationText(result.backup)}
              </Text>
              <Text size="sm">
                Copy on {result.copy.destination}: <Code>{result.copy.key}</Code>
                {result.copy.encrypted ? ' (encrypted)' : ''}, sha256 read back and matched.
              </Text>
              <Text size="xs" c="dimmed">
                Nothing was kept on this computer: restore and drill fetch it from {result.copy.destination}.
              </Text>
            </Stack>
          </Alert>
        </div>
      ) : null}
      {error ? <ErrorAlert title={error.code === 'CANCELLED' ? 'The offsite backup was cancelled' : 'The offsite backup failed'} error={error} /> : null}
      {!busy ? (
        <Group>
          <Button size="xs" variant="default" onClick={onNew}>
            New backup
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
