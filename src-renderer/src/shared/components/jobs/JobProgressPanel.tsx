// The progress of a running job (backup, restore, drill): headline, percent and bar, a row of
// figures (done/total, elapsed, ETA…) and Cancel behind a confirmation. Each screen computes
// its own figures and wording; this draws them the same way everywhere.
import { Badge, Button, Group, Modal, Paper, Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { ShownError } from '../../state/errors';
import { ErrorAlert } from '../ErrorAlert';

export interface ProgressFigure {
  /** Also the figure's accessible name. */
  label: string;
  value: string;
}

export interface JobProgressPanelProps {
  /** "backup", "restore", "drill": names the section, the bar and the cancel button. */
  noun: string;
  headline: string;
  percent: number | null;
  /** A short tag beside the percent (the restore's phase). */
  badge?: string | null;
  figures: ProgressFigure[];
  /** Long values (a table name) may wrap anywhere. */
  breakValues?: boolean;
  running: boolean;
  failed: boolean;
  canCancel: boolean;
  cancelling: boolean;
  cancelError: ShownError | null;
  onCancel: () => void;
  /** What cancelling does, in the confirmation. */
  cancelText: string;
}

function Figure({ label, value, breakValue }: ProgressFigure & { breakValue: boolean }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600} aria-label={label} style={breakValue ? { wordBreak: 'break-all' } : undefined}>
        {value}
      </Text>
    </Stack>
  );
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function JobProgressPanel(props: JobProgressPanelProps) {
  const { noun, headline, percent, running } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <Paper withBorder p="md" component="section" aria-label={`${capitalized(noun)} progress`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} role="status" aria-live="polite">
            {headline}
          </Text>
          <Group gap="xs" wrap="nowrap">
            {props.badge ? <Badge variant="light">{props.badge}</Badge> : null}
            <Text size="sm" fw={600} aria-label="Percent done">
              {percent === null ? '…' : `${Math.floor(percent)}%`}
            </Text>
          </Group>
        </Group>
        <Progress
          value={percent ?? 100}
          animated={running}
          striped={running && percent === null}
          color={props.failed ? 'red' : undefined}
          aria-label={`Share of the ${noun} done`}
          size="lg"
        />
        <SimpleGrid cols={props.figures.length}>
          {props.figures.map((figure) => (
            <Figure key={figure.label} {...figure} breakValue={props.breakValues ?? false} />
          ))}
        </SimpleGrid>
        {running ? (
          <Group>
            <Button color="red" variant="light" onClick={() => setConfirming(true)} disabled={!props.canCancel || props.cancelling} loading={props.cancelling}>
              Cancel {noun}
            </Button>
          </Group>
        ) : null}
        {props.cancelError ? <ErrorAlert title="Cancel did not work" error={props.cancelError} /> : null}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Cancel this ${noun}?`}>
        <Stack gap="sm">
          <Text size="sm">{props.cancelText}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep running
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConfirming(false);
                props.onCancel();
              }}
            >
              Cancel {noun}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
