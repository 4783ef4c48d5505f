// The buttons under one step of a pending run: run a read step on its own, preview a write
// step before running it, hand an action step over to the screen that does it, and offer
// the ops toolkit when a step calls a function the server does not have.
import { Button, Group, Text } from '@mantine/core';
import type { ChecklistStepResult, ProcedureStepInfo } from '@contract/runbook';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import type { ShownError } from '../../shared/state/errors';
import { actionTarget, hasRun } from './checklist-model';
import type { ScreenId } from '../../shared/state/screens';

export interface StepActionsProps {
  step: ChecklistStepResult;
  info: ProcedureStepInfo | undefined;
  running: boolean;
  /** Another step (or the whole run) is running: one call at a time. */
  busy: boolean;
  error: ShownError | null;
  onClearError: () => void;
  onRun: () => void;
  onPreview: () => void;
  onToolkit: () => void;
  onScreen: (screen: ScreenId) => void;
}

export function StepActions({ step, info, running, busy, error, onClearError, onRun, onPreview, onToolkit, onScreen }: StepActionsProps) {
  if (!info) return null;
  // A check step runs like a read SQL step (the check judges it), so it can run on its own too.
  const isReadSql = (info.type === 'sql' || info.type === 'check') && info.kind === 'read';
  const target = info.type === 'action' ? actionTarget(info.action) : null;
  const buttons = [];
  if (isReadSql) {
    buttons.push(
      <Button key="run" size="xs" variant="light" onClick={onRun} loading={running} disabled={busy && !running}>
        {hasRun(step) ? 'Run again' : 'Run step'}
      </Button>,
    );
  }
  if (info.type === 'sql' && info.kind !== 'read' && info.previewable) {
    buttons.push(
      <Button key="preview" size="xs" variant="light" color={info.kind === 'destructive' ? 'red' : 'orange'} onClick={onPreview} disabled={busy}>
        Preview…
      </Button>,
    );
  }
  if (step.needsToolkit || target?.type === 'toolkit') {
    buttons.push(
      <Button key="toolkit" size="xs" variant="light" onClick={onToolkit}>
        Install the ops toolkit…
      </Button>,
    );
  }
  if (target?.type === 'screen') {
    const screen = target.screen;
    buttons.push(
      <Button key="screen" size="xs" variant="light" onClick={() => onScreen(screen)}>
        {target.label}
      </Button>,
    );
  }
  const hint =
    info.type === 'sql' && info.kind !== 'read' && !info.previewable
      ? 'This step has no preview of what it changes: read it, then run it from the query console.'
      : null;
  if (buttons.length === 0 && !hint && !error) return null;
  return (
    <>
      <Group gap="sm">
        {buttons}
        {hint ? (
          <Text size="xs" c="dimmed">
            {hint}
          </Text>
        ) : null}
      </Group>
      {step.needsToolkit ? (
        <Text size="xs" c="dimmed">
          This step calls an ops-toolkit function this server does not have: install the toolkit, then run the step again.
        </Text>
      ) : null}
      {error ? <ErrorAlert title="The step did not run" error={error} onClose={onClearError} /> : null}
    </>
  );
}
