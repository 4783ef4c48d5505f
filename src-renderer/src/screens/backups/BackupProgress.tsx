// The Run step: a bar weighted by table sizes, the table being dumped, tables done, bytes
// written, elapsed and ETA, from the core's `backup.progress` events; Cancel (confirmed)
// kills pg_dump. When it ends the last figures stay and the outcome shows below them: the
// file, its size, checksum and verification and any warning (a marker not recorded), or
// the error with pg_dump's last words.
import { Alert, Badge, Button, Code, CopyButton, Group, Paper, Stack, Text } from '@mantine/core';
import type { BackupEntry, BackupProgressEvent } from '@contract/backup';
import { IconCheck } from '../../shared/components/icons';
import { JobProgressPanel } from '../../shared/components/jobs/JobProgressPanel';
import { StartRefused } from '../../shared/components/jobs/StartRefused';
import { formatDuration, formatClock } from '../../shared/format/time';
import { describeProgress, STATUS_COLORS, STATUS_LABELS } from './backup-wizard-model';
import { formatBytes } from '../../shared/format/numbers';
import { PlanError } from './ReviewStep';
import type { BackupJob } from './useBackupJob';

/** The figures from the last event; once finished without any event (a tiny database), from the result. */
function shownProgress(progress: BackupProgressEvent | null, result: BackupEntry | null) {
  if (progress) {
    const view = describeProgress(progress);
    if (result?.status === 'ok')
      return { ...view, percent: 100, headline: 'Backup finished', eta: '—', elapsed: formatClock(result.durationMs ?? progress.elapsedMs) };
    if (result) return { ...view, headline: result.status === 'cancelled' ? 'Backup cancelled' : 'Backup failed', eta: '—' };
    return view;
  }
  if (result) {
    return {
      percent: result.status === 'ok' ? 100 : 0,
      headline: result.status === 'ok' ? 'Backup finished' : result.status === 'cancelled' ? 'Backup cancelled' : 'Backup failed',
      tables: '—',
      bytes: formatBytes(result.bytes),
      elapsed: formatClock(result.durationMs),
      eta: '—',
    };
  }
  return { percent: null, headline: 'Starting pg_dump…', tables: '—', bytes: '—', elapsed: '—', eta: '—' };
}

function Result({ entry }: { entry: BackupEntry }) {
  if (entry.status !== 'ok') {
    return (
      <Alert
        role="alert"
        color={entry.status === 'cancelled' ? 'gray' : 'red'}
        variant="light"
        title={entry.status === 'cancelled' ? 'Cancelled: nothing was kept' : 'The backup failed: nothing was kept'}
      >
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {entry.error ?? 'No reason was recorded.'}
        </Text>
        <Text size="xs" c="dimmed" mt={4}>
          The partial output was deleted; the catalog lists this attempt as {STATUS_LABELS[entry.status]}.
        </Text>
      </Alert>
    );
  }
  // The core renames the .partial only after the archive was checked, so "ok" means verified.
  const manifest = entry.manifest;
  // What went wrong beside a good dump (the pre-operation marker, for one) shows here, not only in the audit trail.
  const warnings = manifest?.warnings ?? [];
  const checked = manifest?.tocEntries != null ? `pg_restore --list read ${manifest.tocEntries} TOC entries` : 'the dump ends with its completion marker';
  return (
    <Paper withBorder p="sm" aria-label="Backup result" component="section">
      <Stack gap={6}>
        <Group gap="xs">
          <IconCheck />
          <Text fw={600}>Backup written and verified</Text>
          <Badge color={STATUS_COLORS.ok}>{STATUS_LABELS.ok}</Badge>
        </Group>
        <Text size="xs" c="dimmed">
          Verified before it got its name: {checked}; manifest written beside it.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code style={{ wordBreak: 'break-all' }}>{entry.path}</Code>
          <CopyButton value={entry.path}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy path'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">
          {formatBytes(entry.bytes)} in {formatDuration(entry.durationMs)}
        </Text>
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
          sha256 {entry.sha256 ?? '—'}
        </Text>
        {warnings.length > 0 ? (
          <Alert role="alert" color="yellow" variant="light" title="Written, with a warning: not everything asked for was done">
            {warnings.map((w) => (
              <Text key={w} size="sm">
                {w}
              </Text>
            ))}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}

export function BackupProgress({
  job,
  onCancel,
  onNew,
  onShowClientTools,
}: {
  job: BackupJob;
  onCancel: () => void;
  onNew: () => void;
  onShowClientTools: () => void;
}) {
  if (job.startError) {
    return (
      <StartRefused onBack={onNew}>
        <PlanError error={job.startError} onShowClientTools={onShowClientTools} />
      </StartRefused>
    );
  }
  const view = shownProgress(job.progress, job.result);
  const running = !job.result;
  return (
    <Stack gap="sm">
      <JobProgressPanel
        noun="backup"
        headline={view.headline}
        percent={view.percent}
        figures={[
          { label: 'Tables', value: view.tables },
          { label: 'Written', value: view.bytes },
          { label: 'Elapsed', value: view.elapsed },
          { label: 'ETA', value: running ? view.eta : '—' },
        ]}
        running={running}
        failed={Boolean(job.result && job.result.status !== 'ok')}
        canCancel={Boolean(job.id)}
        cancelling={job.cancelling}
        cancelError={job.cancelError}
        onCancel={onCancel}
        cancelText="pg_dump is stopped and what it wrote so far is deleted. The catalog records the backup as cancelled."
      />
      {job.result ? <Result entry={job.result} /> : null}
      {job.result ? (
        <Group>
          <Button variant="default" onClick={onNew}>
            New backup
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
