// The Run step: the refusal when start said no, else the progress, then the outcome with
// its validation report; a scratch restore's new profile can be opened from here.
import { Button, Code, Group, Paper, Stack, Text } from '@mantine/core';
import type { Profile } from '@contract/models';
import type { RestoreRecord } from '@contract/restore';
import { StartRefused } from '../../shared/components/jobs/StartRefused';
import { formatDuration } from '../../shared/format/time';
import { findRestoredProfile } from './restore-model';
import { RestorePlanError } from './RestoreReview';
import { FailureAlert, JobProgress, StatusBadge, ValidationReportView } from './RestoreProgress';
import type { RestoreJob } from './useRestoreJob';

export interface RestoreRunProps {
  job: RestoreJob;
  profiles: Profile[];
  onCancel: () => void;
  onNew: () => void;
  onShowClientTools: () => void;
  onOpenProfile: (profile: Profile) => void;
}

function Outcome({ record, profiles, onOpenProfile }: { record: RestoreRecord; profiles: Profile[]; onOpenProfile: (profile: Profile) => void }) {
  const opened = findRestoredProfile(profiles, record);
  return (
    <Paper withBorder p="sm" component="section" aria-label="Restore result">
      <Stack gap="xs">
        <Group gap="xs">
          <Text fw={600}>
            Restore into {record.target}, database <Code>{record.database}</Code>
          </Text>
          <StatusBadge status={record.status} />
          <Text size="sm" c="dimmed">
            in {formatDuration(record.durationMs)}
          </Text>
        </Group>
        {record.preRestoreBackupId ? (
          <Text size="sm">
            The target was backed up first: catalog entry <Code>{record.preRestoreBackupId}</Code>.
          </Text>
        ) : null}
        <FailureAlert noun="restore" status={record.status} error={record.error} />
        {record.validation ? (
          <ValidationReportView report={record.validation} />
        ) : record.status === 'ok' ? (
          <Text size="sm" c="dimmed">
            No validation was recorded.
          </Text>
        ) : null}
        {record.targetKind === 'scratch' && record.status === 'ok' ? (
          opened ? (
            <Group>
              <Button onClick={() => onOpenProfile(opened)}>Open {opened.name}</Button>
              <Text size="xs" c="dimmed">
                Makes the restored copy the active profile, to query it or run checklists on it.
              </Text>
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              The restored copy’s profile is not in the list yet: look for {record.database} in the profile switcher.
            </Text>
          )
        ) : null}
      </Stack>
    </Paper>
  );
}

export function RestoreRun({ job, profiles, onCancel, onNew, onShowClientTools, onOpenProfile }: RestoreRunProps) {
  if (job.startError) {
    return (
      <StartRefused onBack={onNew}>
        <RestorePlanError error={job.startError} onShowClientTools={onShowClientTools} />
      </StartRefused>
    );
  }
  return (
    <Stack gap="sm">
      <JobProgress
        noun="restore"
        job={job}
        onCancel={onCancel}
        cancelText="The restore tool is stopped. A new database is dropped again; a plain script leaves the target unchanged; a custom or directory restore into an existing database may leave what was already restored."
      />
      {job.result ? <Outcome record={job.result} profiles={profiles} onOpenProfile={onOpenProfile} /> : null}
      {job.result ? (
        <Group>
          <Button variant="default" onClick={onNew}>
            New restore
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
