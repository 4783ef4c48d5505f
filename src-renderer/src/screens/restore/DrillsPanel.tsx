// Restore drills: one click restores a backup (default: the active profile's latest) into a
// fresh local scratch cluster, validates it, times it against the runbook's RTO/RPO and
// drops the cluster. Progress while it runs, then the report; the history below.
import { Alert, Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { Profile } from '@contract/models';
import type { DrillRecord } from '@contract/restore';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { OffsiteStagingProgress } from '../../shared/components/jobs/OffsiteStagingProgress';
import { backupLabel, drillInput, LATEST } from './restore-model';
import { RestorePlanError } from './RestoreReview';
import { DrillHistory } from './DrillHistory';
import { DrillReport } from './DrillReport';
import { JobProgress } from './RestoreProgress';
import { useDrillHistory } from './useRestoreData';
import { useDrillJob } from './useRestoreJob';

export interface DrillsPanelProps {
  active: Profile | null;
  profiles: Profile[];
  backups: BackupEntry[] | null;
  refreshKey: number;
  onGoToBackups: () => void;
  onShowClientTools: () => void;
}

export function DrillsPanel({ active, profiles, backups, refreshKey, onGoToBackups, onShowClientTools }: DrillsPanelProps) {
  const [choice, setChoice] = useState<string>(LATEST);
  const [historyKey, setHistoryKey] = useState(0);
  const [filter, setFilter] = useState<string | null>(active?.id ?? null);
  const [opened, setOpened] = useState<DrillRecord | null>(null);
  const history = useDrillHistory(refreshKey + historyKey);
  const onFinished = useCallback(() => setHistoryKey((k) => k + 1), []);
  const { job, start, cancel, reset } = useDrillJob(onFinished);
  const running = Boolean(job && !job.result && !job.startError);

  const activeHasBackup = Boolean(active && backups?.some((b) => b.profileId === active.id));
  const effectiveChoice = choice === LATEST && !activeHasBackup ? (backups?.[0]?.id ?? LATEST) : choice;
  const options = [
    ...(active && activeHasBackup ? [{ value: LATEST, label: `Latest backup of ${active.name}` }] : []),
    ...(backups ?? []).map((b) => ({ value: b.id, label: backupLabel(b) })),
  ];

  const runDrill = useCallback(() => {
    void start(async (jobId) => {
      const input = drillInput(effectiveChoice, active?.id ?? null, jobId);
      if (!input) throw new Error('Choose a backup to drill.');
      const answer = await api.startDrill(input);
      return { id: answer.drillId, started: null };
    });
    setOpened(null);
  }, [start, effectiveChoice, active]);

  // Progress where the eye is, then the report: each comes into view when it appears
  // (the panel may sit below the fold under the restore wizard).
  const progressRef = useRef<HTMLDivElement | null>(null);
  const reportRef = useRef<HTMLDivElement | null>(null);
  const jobKey = job && !job.startError ? (job.id ?? 'starting') : null;
  useEffect(() => {
    if (jobKey !== null) progressRef.current?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }, [jobKey]);
  const reportKey = opened?.id ?? job?.result?.id ?? null;
  useEffect(() => {
    if (reportKey !== null) reportRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [reportKey]);

  const noBackups = backups !== null && backups.length === 0;
  return (
    <Paper withBorder p="md" component="section" aria-label="Restore drills">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={3} size="h4">
            Restore drills
          </Title>
          <Text size="sm" c="dimmed">
            A backup nobody has restored is a hope. A drill restores it into a throwaway local PostgreSQL, validates it, times it against the runbook (RTO 2 h,
            RPO 15 min) and removes the cluster. No server is touched.
          </Text>
        </Stack>
        {noBackups ? (
          <Alert color="blue" variant="light" title="Nothing to drill yet">
            <Text size="sm">No backups yet: take one on the Backups screen, then run a drill here.</Text>
            <Button mt="sm" size="xs" onClick={onGoToBackups}>
              Go to Backups
            </Button>
          </Alert>
        ) : (
          <Group align="flex-end" gap="sm">
            <Select
              label="Backup to drill"
              data={options}
              value={effectiveChoice}
              onChange={(v) => v && setChoice(v)}
              allowDeselect={false}
              placeholder={backups ? 'Pick a backup' : 'Loading the catalog…'}
              searchable
              w={560}
              disabled={running}
            />
            <Button onClick={runDrill} disabled={running || !backups || options.length === 0} loading={Boolean(job?.starting)}>
              Run a restore drill
            </Button>
          </Group>
        )}
        <OffsiteStagingProgress backupId={job?.starting && effectiveChoice !== LATEST ? effectiveChoice : null} />
        {job?.startError ? (
          <Stack gap="xs">
            <RestorePlanError error={job.startError} onShowClientTools={onShowClientTools} />
            <Group>
              <Button size="xs" variant="default" onClick={reset}>
                Dismiss
              </Button>
            </Group>
          </Stack>
        ) : null}
        {job && !job.startError ? (
          <div ref={progressRef} style={{ scrollMarginTop: 8 }}>
            <JobProgress
              noun="drill"
              job={job}
              onCancel={() => void cancel()}
              cancelText="The restore is stopped and the scratch cluster removed. The drill is recorded as cancelled."
            />
          </div>
        ) : null}
        <div ref={reportRef} style={{ scrollMarginTop: 8 }}>
          {job?.result && !opened ? <DrillReport drill={job.result} /> : null}
          {opened ? <DrillReport drill={opened} onClose={() => setOpened(null)} /> : null}
        </div>
        {history.error ? <ErrorAlert title="The drill history could not be read" error={history.error} /> : null}
        {history.drills ? <DrillHistory drills={history.drills} profiles={profiles} filter={filter} onFilter={setFilter} onOpen={setOpened} /> : null}
      </Stack>
    </Paper>
  );
}
