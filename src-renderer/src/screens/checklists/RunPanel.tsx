// A fresh run being signed off: every step with its result and a decision, an overall
// note, and "Sign off" once every step is decided (a skip needs its reason). Read steps can
// run (again) one by one, write steps are previewed and run from a dialog, action steps go
// to their screen, and a step missing the ops toolkit offers to install it.
import { Alert, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import type { Profile } from '@contract/models';
import type { ChecklistRunRecord, ProcedureInfo, ProcedureStepInfo, RunbookStepRunResult } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration, formatTime } from '../../shared/format/time';
import { draftAfterWrite, EMPTY_DRAFT, hasRun, missingDecisions, ranLine, toDecisions, type DraftDecision, type Drafts } from './checklist-model';
import { StatusBadge, StepCard } from './StepCard';
import { StepActions } from './StepActions';
import { ToolkitPanel } from './ToolkitPanel';
import type { PendingRun } from './useChecklistRun';
import { WriteStepDialog } from './WriteStepDialog';

export interface RunPanelProps {
  run: PendingRun;
  profile: Profile;
  /** The procedure's steps (what each does); without it the run can only be decided and signed. */
  procedure: ProcedureInfo | undefined;
  /** The id of the read step running on its own, if any; `busy` while any call of the run is in flight. */
  stepRunning: string | null;
  busy: boolean;
  stepError: { stepId: string; error: ShownError } | null;
  onClearStepError: () => void;
  onRunStep: (stepId: string) => void;
  runPassword: string | undefined;
  onSigned: (saved: ChecklistRunRecord) => void;
  onDiscard: () => void;
}

function whenLine(run: PendingRun): string {
  const ran = run.result.steps.filter(hasRun).length;
  if (run.stepwise)
    return `Step by step on ${run.result.profile}: ${ran} read step${ran === 1 ? '' : 's'} run so far. Read steps run read-only; steps that change the server run only after their preview.`;
  return `On ${run.result.profile}, checks ran at ${formatTime(run.result.startedAt)} in ${formatDuration(run.result.durationMs)}. Read-only: nothing was changed on the server.`;
}

function ReadinessLine({ missing }: { missing: ReturnType<typeof missingDecisions> }) {
  if (missing.length === 0)
    return (
      <Text size="sm" c="green">
        Every step has a decision: ready to sign off.
      </Text>
    );
  const reasons = missing.filter((m) => m.lacks === 'reason').length;
  const undecided = missing.length - reasons;
  const parts = [
    undecided > 0 ? `${undecided} step${undecided === 1 ? '' : 's'} without a decision` : '',
    reasons > 0 ? `${reasons} skipped step${reasons === 1 ? '' : 's'} without a reason` : '',
  ].filter(Boolean);
  return (
    <Text size="sm" c="dimmed" aria-live="polite">
      Before signing off: {parts.join(' and ')}.
    </Text>
  );
}

export function RunPanel({
  run,
  profile,
  procedure,
  stepRunning,
  busy,
  stepError,
  onClearStepError,
  onRunStep,
  runPassword,
  onSigned,
  onDiscard,
}: RunPanelProps) {
  const { result } = run;
  const { setScreen } = useAppState();
  const [writeStep, setWriteStep] = useState<ProcedureStepInfo | null>(null);
  const [toolkitFor, setToolkitFor] = useState<{ stepId: string; title: string; retry: boolean } | null>(null);
  const infoById = new Map((procedure?.steps ?? []).map((s) => [s.id, s]));
  const [drafts, setDrafts] = useState<Drafts>({});
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const missing = missingDecisions(result.steps, drafts);

  function setDraft(stepId: string, next: DraftDecision) {
    setDrafts((all) => ({ ...all, [stepId]: next }));
  }

  /** The usual morning: most steps fine; the operator marks the exceptions, then the rest. */
  function markRestDone() {
    setDrafts((all) => {
      const next = { ...all };
      for (const step of result.steps) if (!next[step.id]?.decision) next[step.id] = { ...(next[step.id] ?? EMPTY_DRAFT), decision: 'done' };
      return next;
    });
  }

  function onWriteRan(stepId: string, done: RunbookStepRunResult, immediate: boolean, markDone: boolean) {
    setDrafts((all) => ({ ...all, [stepId]: draftAfterWrite(all[stepId] ?? EMPTY_DRAFT, ranLine(done.rowsAffected, immediate), markDone) }));
  }

  async function signOff() {
    setSaving(true);
    setError(null);
    try {
      const saved = await api.signOffChecklistRun({ profileId: run.profileId, result, decisions: toDecisions(result.steps, drafts), note: note.trim() });
      onSigned(saved);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Paper component="section" withBorder p="md" aria-label="Checklist run">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="sm">
              <Title order={3}>{result.title}</Title>
              <StatusBadge status={result.status} size="lg" />
            </Group>
            <Text size="sm" c="dimmed">
              {whenLine(run)}
            </Text>
          </Stack>
          <Button variant="subtle" color="gray" onClick={onDiscard}>
            Discard this run
          </Button>
        </Group>
        {result.steps.map((step) => (
          <StepCard
            key={step.id}
            mode="edit"
            step={step}
            info={infoById.get(step.id)}
            draft={drafts[step.id] ?? EMPTY_DRAFT}
            onChange={(next) => setDraft(step.id, next)}
            actions={
              <StepActions
                step={step}
                info={infoById.get(step.id)}
                running={stepRunning === step.id}
                busy={busy}
                error={stepError?.stepId === step.id ? stepError.error : null}
                onClearError={onClearStepError}
                onRun={() => onRunStep(step.id)}
                onPreview={() => setWriteStep(infoById.get(step.id) ?? null)}
                onToolkit={() => setToolkitFor({ stepId: step.id, title: step.title, retry: step.needsToolkit === true })}
                onScreen={setScreen}
              />
            }
          />
        ))}
        {writeStep && procedure ? (
          <WriteStepDialog
            profile={profile}
            procedureId={procedure.id}
            step={writeStep}
            password={runPassword}
            onClose={() => setWriteStep(null)}
            onRan={(done, immediate, markDone) => onWriteRan(writeStep.id, done, immediate, markDone)}
          />
        ) : null}
        {toolkitFor ? (
          <ToolkitPanel
            profile={profile}
            password={runPassword}
            onClose={() => setToolkitFor(null)}
            retry={toolkitFor.retry ? { title: toolkitFor.title, run: () => onRunStep(toolkitFor.stepId) } : undefined}
          />
        ) : null}
        <Textarea
          label="Overall note"
          placeholder="Anything the next shift should know"
          autosize
          minRows={2}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
        />
        {error ? <ErrorAlert title="The run was not signed off" error={error} onClose={() => setError(null)} /> : null}
        {result.status === 'critical' ? (
          <Alert color="red" variant="light" title="A step is CRITICAL">
            Escalate it (see the profile's contacts) before signing off, and say what was done in its note.
          </Alert>
        ) : null}
        <Group justify="space-between">
          <ReadinessLine missing={missing} />
          <Group gap="sm">
            <Button variant="default" onClick={markRestDone} disabled={missing.every((m) => m.lacks === 'reason')}>
              Mark the rest done
            </Button>
            <Button onClick={() => void signOff()} disabled={missing.length > 0} loading={saving}>
              Sign off
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
