// A write or destructive runbook step, never run blind: the preview lists exactly the rows
// (or sessions) the statement would touch, then "Run" sends the previewed count and token
// so the core refuses (CONFLICT) if anything changed since; production needs the profile's
// name typed. The core runs it in one transaction and audits it with its row count.
import { Alert, Badge, Button, Checkbox, Code, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { Profile } from '@contract/models';
import type { ProcedureStepInfo, RunbookStepPreview, RunbookStepRunResult } from '@contract/runbook';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert, IconCheck } from '../../shared/components/icons';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration } from '../../shared/format/time';
import { KindBadge, RowsTable } from './StepCard';
import { plural } from '../../shared/format/text';

export interface WriteStepDialogProps {
  profile: Profile;
  procedureId: string;
  step: ProcedureStepInfo;
  /** The password this run used, when the profile has none saved. */
  password: string | undefined;
  onClose: () => void;
  /** The step ran and committed; `markDone`: the operator wants it marked done. */
  onRan: (result: RunbookStepRunResult, immediate: boolean, markDone: boolean) => void;
}

function countLine(preview: RunbookStepPreview): string {
  if (preview.immediate)
    return preview.rowCount === 0 ? 'No session matches: nothing would be ended.' : `${plural(preview.rowCount, 'session')} would be ended.`;
  return preview.rowCount === 0 ? 'No row matches: nothing would change.' : `${plural(preview.rowCount, 'row')} would change.`;
}

function ranLine(result: RunbookStepRunResult, immediate: boolean): string {
  const what = immediate ? `${plural(result.rowsAffected, 'session')} ended` : `${plural(result.rowsAffected, 'row')} changed`;
  return `${what} in ${formatDuration(result.durationMs)}, ${immediate ? 'done' : 'committed'}; recorded in the audit trail.`;
}

/** Why the run was refused, in words that say what to do next. */
function refusal(err: unknown, profile: Profile): { error: ShownError; stale: boolean } {
  if (err instanceof OpsError && err.code === 'CONFLICT') {
    return {
      stale: true,
      error: {
        code: err.code,
        message: `The rows changed since the preview, so nothing was run (the transaction was rolled back). ${err.message} Preview again to see what the step would change now.`,
      },
    };
  }
  if (err instanceof OpsError && err.code === 'READ_ONLY') {
    return {
      stale: false,
      error: { code: err.code, message: `"${profile.name}" is a read-only profile: steps that change the database cannot run through it. ${err.message}` },
    };
  }
  return { stale: false, error: toShownError(err) };
}

export function WriteStepDialog({ profile, procedureId, step, password, onClose, onRan }: WriteStepDialogProps) {
  const [preview, setPreview] = useState<RunbookStepPreview | null>(null);
  const [loading, setLoading] = useState(false);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [stale, setStale] = useState(false);
  const [typed, setTyped] = useState('');
  const [markDone, setMarkDone] = useState(true);
  const [result, setResult] = useState<RunbookStepRunResult | null>(null);
  const needsName = profile.env === 'production';

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    setStale(false);
    setResult(null);
    try {
      setPreview(await api.previewRunbookStep({ profileId: profile.id, procedureId, stepId: step.id, ...(password !== undefined ? { password } : {}) }));
    } catch (err) {
      setPreview(null);
      setError(toShownError(err));
    } finally {
      setLoading(false);
    }
  }, [profile.id, procedureId, step.id, password]);

  // Preview as the dialog opens; "Preview again" reloads on request.
  useEffect(() => {
    void load();
  }, [load]);

  async function run() {
    if (!preview) return;
    setRunning(true);
    setError(null);
    try {
      const done = await api.runRunbookStep({
        profileId: profile.id,
        procedureId,
        stepId: step.id,
        expectedRows: preview.rowCount,
        token: preview.token,
        ...(needsName ? { confirmName: typed } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      setResult(done);
      onRan(done, preview.immediate, markDone);
    } catch (err) {
      const why = refusal(err, profile);
      setError(why.error);
      setStale(why.stale);
    } finally {
      setRunning(false);
    }
  }

  const canRun = preview !== null && preview.rowCount > 0 && !stale && result === null && (!needsName || typed === profile.name) && !profile.readOnly;

  return (
    <Modal opened onClose={onClose} title={`Preview: ${step.title}`} centered size="xl">
      <Stack gap="sm">
        <Group gap="xs">
          <KindBadge kind={step.kind} />
          <Text size="sm">{step.explanation}</Text>
        </Group>
        {profile.readOnly ? (
          <Alert color="gray" variant="light" icon={<IconAlert />} title="Read-only profile">
            "{profile.name}" is read-only: the preview shows what the step would change, but it cannot run through this profile.
          </Alert>
        ) : null}
        {loading ? (
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm">Reading the rows this step would change…</Text>
          </Group>
        ) : null}
        {preview ? (
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              The statement
            </Text>
            <Code block aria-label="Statement to run" style={{ whiteSpace: 'pre-wrap' }}>
              {preview.statement}
            </Code>
            <Text size="sm" fw={600} role="status" aria-label="Rows affected">
              {countLine(preview)}
            </Text>
            <RowsTable label="Rows the step would change" columns={preview.columns} rows={preview.rows} rowCount={preview.rowCount} />
            {preview.immediate ? (
              <Alert color="red" variant="light" icon={<IconAlert />} title="Cannot be undone">
                Ending sessions cannot be undone: their open transactions are rolled back and the applications must reconnect.
              </Alert>
            ) : (
              <Text size="xs" c="dimmed">
                Runs in one transaction, committed only if it changes exactly these {plural(preview.rowCount, 'row')}.
              </Text>
            )}
          </Stack>
        ) : null}
        {needsName && preview && !result ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
        {error ? (
          <ErrorAlert title={stale ? 'The rows changed since the preview' : 'The step did not run'} error={error} onClose={() => setError(null)} />
        ) : null}
        {result ? (
          <Alert color="green" variant="light" icon={<IconCheck />} title="Step ran" role="status">
            {ranLine(result, preview?.immediate ?? false)}
          </Alert>
        ) : null}
        <Group justify="space-between">
          {!result ? (
            <Checkbox label="Mark this step done when it has run" checked={markDone} onChange={(e) => setMarkDone(e.currentTarget.checked)} />
          ) : (
            <Badge color="green" variant="light">
              ran
            </Badge>
          )}
          <Group gap="sm">
            <Button variant="default" onClick={() => void load()} loading={loading} disabled={running}>
              Preview again
            </Button>
            {result ? (
              <Button onClick={onClose}>Close</Button>
            ) : (
              <>
                <Button variant="subtle" color="gray" onClick={onClose} disabled={running}>
                  Cancel
                </Button>
                <Button color={step.kind === 'destructive' ? 'red' : 'orange'} onClick={() => void run()} loading={running} disabled={!canRun}>
                  {preview && preview.rowCount > 0 ? `Run on ${plural(preview.rowCount, preview.immediate ? 'session' : 'row')}` : 'Run'}
                </Button>
              </>
            )}
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
