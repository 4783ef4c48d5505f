// VACUUM one table: ANALYZE on by default; FULL warns that it rewrites the table under an
// ACCESS EXCLUSIVE lock and, on production, asks for the profile's name. The core runs it
// (audited), pushes `vacuum.progress` events for this job id, and answers with the dead
// tuples before and after. The subscription starts before the call so no event is missed.
import { Alert, Button, Checkbox, Code, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { VacuumProgressEvent, VacuumResult } from '@contract/monitoring';
import type { Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { vacuumCommand, vacuumNeedsName, vacuumProgressView, vacuumResultText } from './performance-model';
import { randomId } from '../../shared/ids';

export interface VacuumTarget {
  schema: string;
  table: string;
}

export function VacuumDialog({
  target,
  profile,
  password,
  onClose,
  onDone,
}: {
  target: VacuumTarget | null;
  profile: Profile;
  password: string | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const [analyze, setAnalyze] = useState(true);
  const [full, setFull] = useState(false);
  const [typed, setTyped] = useState('');
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<VacuumProgressEvent | null>(null);
  const [result, setResult] = useState<VacuumResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [shown, setShown] = useState<VacuumTarget | null>(target);
  const stopListening = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!target) return;
    setShown(target);
    setAnalyze(true);
    setFull(false);
    setTyped('');
    setProgress(null);
    setResult(null);
    setError(null);
  }, [target]);

  useEffect(() => () => stopListening.current?.(), []);

  if (!shown) return null;
  const needsName = vacuumNeedsName(full, profile.env);
  const canRun = !running && !profile.readOnly && (!needsName || typed === profile.name);

  async function run(table: VacuumTarget) {
    const jobId = `vacuum-${randomId()}`;
    setRunning(true);
    setProgress(null);
    setResult(null);
    setError(null);
    stopListening.current?.();
    stopListening.current = api.onEvent((event) => {
      if (event.type === 'vacuum.progress' && event.jobId === jobId) setProgress(event);
    });
    // Progress is a nicety: a stream that cannot connect must not stop the VACUUM.
    await api.eventsReady().catch(() => undefined);
    try {
      const answer = await api.runVacuum({
        profileId: profile.id,
        schema: table.schema,
        table: table.table,
        analyze,
        full,
        jobId,
        ...(needsName ? { confirmName: typed } : {}),
        ...(password ? { password } : {}),
      });
      setResult(answer);
      onDone();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      stopListening.current?.();
      stopListening.current = null;
      setRunning(false);
    }
  }

  const view = vacuumProgressView(progress);
  return (
    <Modal
      opened={target !== null}
      onClose={running ? () => undefined : onClose}
      title={`VACUUM ${shown.schema}.${shown.table}`}
      size="lg"
      closeOnClickOutside={!running}
      withCloseButton={!running}
    >
      <Stack gap="sm">
        <Code block>{vacuumCommand(shown.schema, shown.table, { full, analyze })}</Code>
        <Checkbox
          label="ANALYZE (refresh the planner's statistics too)"
          checked={analyze}
          disabled={running}
          onChange={(e) => setAnalyze(e.currentTarget.checked)}
        />
        <Checkbox
          label="FULL (rewrite the table to give space back to the operating system)"
          checked={full}
          disabled={running}
          onChange={(e) => setFull(e.currentTarget.checked)}
        />
        {full ? (
          <Alert color="red" variant="light" title="VACUUM FULL locks the table">
            <Text size="sm">
              It takes an ACCESS EXCLUSIVE lock for the whole rewrite: every read and write of {shown.schema}.{shown.table} waits until it ends, and it needs
              free disk space for a full copy of the table. Run it in a maintenance window.
            </Text>
          </Alert>
        ) : null}
        {needsName && !running && !result ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
        {profile.readOnly ? (
          <Alert color="yellow" variant="light">
            <Text size="sm">This profile is read-only: VACUUM is refused. Turn read-only off in Profiles to run it.</Text>
          </Alert>
        ) : null}
        {running ? (
          <Stack gap={4} role="status" aria-label="VACUUM progress">
            <Progress value={view.percent ?? 100} animated={view.percent === null} striped={view.percent === null} aria-label="VACUUM progress bar" />
            <Text size="xs" c="dimmed">
              {view.caption}
            </Text>
          </Stack>
        ) : null}
        {result ? (
          <Alert color="green" variant="light" title="VACUUM finished" role="status">
            <Text size="sm">{vacuumResultText(result)}</Text>
          </Alert>
        ) : null}
        {error ? <ErrorAlert title="VACUUM did not run" error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={running}>
            {result ? 'Close' : 'Cancel'}
          </Button>
          {!result ? (
            <Button color={full ? 'red' : 'blue'} onClick={() => void run(shown)} disabled={!canRun} loading={running}>
              {full ? 'Run VACUUM FULL' : 'Run VACUUM'}
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Modal>
  );
}
