// A fresh checklist run being signed off: every step with its result and a decision, an
// overall note, and "Sign off" once every step is decided (a skip needs its reason).
import { Alert, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import type { ChecklistRunRecord, ChecklistRunResult } from '../../../../src-main/contract/runbook';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toShownError, type ShownError } from '../../state/errors';
import { formatDuration, formatTime } from '../../state/format';
import { EMPTY_DRAFT, missingDecisions, toDecisions, type DraftDecision, type Drafts } from './checklist-model';
import { StatusBadge, StepCard } from './StepCard';

export interface PendingRun {
  profileId: string;
  result: ChecklistRunResult;
}

function ReadinessLine({ missing }: { missing: ReturnType<typeof missingDecisions> }) {
  if (missing.length === 0) return <Text size="sm" c="green">Every step has a decision: ready to sign off.</Text>;
  const reasons = missing.filter((m) => m.lacks === 'reason').length;
  const undecided = missing.length - reasons;
  const parts = [undecided > 0 ? `${undecided} step${undecided === 1 ? '' : 's'} without a decision` : '', reasons > 0 ? `${reasons} skipped step${reasons === 1 ? '' : 's'} without a reason` : ''].filter(Boolean);
  return <Text size="sm" c="dimmed" aria-live="polite">Before signing off: {parts.join(' and ')}.</Text>;
}

export function RunPanel({ run, onSigned, onDiscard }: { run: PendingRun; onSigned: (saved: ChecklistRunRecord) => void; onDiscard: () => void }) {
  const { result } = run;
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
              On {result.profile}, checks ran at {formatTime(result.startedAt)} in {formatDuration(result.durationMs)}. Read-only: nothing was changed on the server.
            </Text>
          </Stack>
          <Button variant="subtle" color="gray" onClick={onDiscard}>Discard this run</Button>
        </Group>
        {result.steps.map((step) => (
          <StepCard key={step.id} mode="edit" step={step} draft={drafts[step.id] ?? EMPTY_DRAFT} onChange={(next) => setDraft(step.id, next)} />
        ))}
        <Textarea label="Overall note" placeholder="Anything the next shift should know" autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        {error ? <ErrorAlert title="The run was not signed off" error={error} onClose={() => setError(null)} /> : null}
        {result.status === 'critical' ? (
          <Alert color="red" variant="light" title="A step is CRITICAL">Escalate it (see the profile's contacts) before signing off, and say what was done in its note.</Alert>
        ) : null}
        <Group justify="space-between">
          <ReadinessLine missing={missing} />
          <Group gap="sm">
            <Button variant="default" onClick={markRestDone} disabled={missing.every((m) => m.lacks === 'reason')}>Mark the rest done</Button>
            <Button onClick={() => void signOff()} disabled={missing.length > 0} loading={saving}>Sign off</Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
