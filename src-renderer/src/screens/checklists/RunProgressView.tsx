// A full run in flight: "Step 3 of 11: <title>", a bar, and each step's verdict as the core
// reports it, so a slow step on a busy server shows where the run is instead of a spinner.
import { Group, Paper, Progress, Stack, Text } from '@mantine/core';
import type { ProcedureInfo } from '@contract/runbook';
import { progressLabel } from './checklist-model';
import { StatusBadge } from './StepCard';
import type { RunProgress } from './useChecklistRun';

export function RunProgressView({ progress, procedure }: { progress: RunProgress; procedure: ProcedureInfo | undefined }) {
  const total = progress.total || procedure?.steps.length || 0;
  const titles = procedure?.steps.map((s) => s.title) ?? [];
  const finished = progress.finished.length;
  const label = total > 0 ? progressLabel(titles, finished, total) : 'Connecting…';
  return (
    <Paper component="section" withBorder p="md" aria-label="Run progress">
      <Stack gap="xs">
        <Text size="sm" fw={600} role="status" aria-live="polite">
          {label}
        </Text>
        <Progress value={total > 0 ? (finished / total) * 100 : 0} aria-label="Steps finished" animated={finished < total || total === 0} />
        {progress.finished.map((step) => (
          <Group key={step.id} gap="sm" wrap="nowrap">
            <StatusBadge status={step.status} size="sm" />
            <Text size="sm" fw={500}>
              {step.title}
            </Text>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {step.summary}
            </Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
