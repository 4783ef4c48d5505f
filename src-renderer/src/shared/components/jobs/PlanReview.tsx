// The Review step's pieces that backups and restores share: the frame (checking…, the plan,
// why it cannot run, a password when the server asks for one, Check again), the command
// exactly as the core will run it, the warnings, and the client tool version mismatch shown
// in full with the tools found here, since it is the most common reason a job cannot start.
import { Alert, Button, Code, CopyButton, Group, List, Loader, PasswordInput, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorDetail, type ErrorDetail } from '@contract/errors';
import { asksForPassword } from '../../hooks/usePassword';
import { IconAlert } from '../icons';
import type { DetailedError } from './useAskOnce';

/** One line per tool the core found: its version and where. */
export function foundLines(detail: ErrorDetail<'TOOL_VERSION_MISMATCH'> | undefined): string[] {
  return (detail?.found ?? []).map(({ version, path }) => [version ?? '', path !== undefined ? `(${path})` : ''].filter(Boolean).join(' '));
}

/** A TOOL_VERSION_MISMATCH refusal: the core's message, the tools found, the way to the client tools panel. */
export function ToolVersionMismatch({ title, error, onShowClientTools }: { title: string; error: DetailedError; onShowClientTools: () => void }) {
  const found = foundLines(errorDetail(error, 'TOOL_VERSION_MISMATCH'));
  return (
    <Alert role="alert" color="red" variant="light" icon={<IconAlert />} title={title}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {error.message}
      </Text>
      {found.length > 0 ? (
        <>
          <Text size="sm" mt="xs" fw={500}>
            Found here:
          </Text>
          <List size="sm">
            {found.map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
        </>
      ) : null}
      <Group mt="sm" gap="xs">
        <Button size="xs" variant="light" color="red" onClick={onShowClientTools}>
          Open the client tools panel
        </Button>
        <Text size="xs" c="dimmed">
          Error code <Code>{error.code}</Code>
        </Text>
      </Group>
    </Alert>
  );
}

/** The command with a copy button; `label` is the block's accessible name, `note` says where the password goes. */
export function CommandBlock({ command, label, note }: { command: string; label: string; note: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          Command
        </Text>
        <CopyButton value={command}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy command'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Code block aria-label={label} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {command}
      </Code>
      <Text size="xs" c="dimmed">
        {note}
      </Text>
    </Stack>
  );
}

export function PlanWarnings({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <Alert color="yellow" variant="light" title="Warnings">
      <List size="sm">
        {warnings.map((w) => (
          <List.Item key={w}>{w}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

export interface PlanReviewFrameProps {
  planning: boolean;
  /** What "checking" means for this job, beside the spinner. */
  planningText: string;
  /** The plan's error, or null; the password field shows when it asks for one. */
  error: DetailedError | null;
  password: { label: string; description: string; value: string; onChange: (value: string) => void };
  onRecheck: () => void;
  /** The plan and why it cannot run, in the screen's own words. */
  children: ReactNode;
}

export function PlanReviewFrame({ planning, planningText, error, password, onRecheck, children }: PlanReviewFrameProps) {
  // The field stays up while the server refuses what was typed (or saved): it is the way to answer.
  const askPassword = asksForPassword(error, true);
  return (
    <Stack gap="sm" aria-label="Review" role="group">
      {planning ? (
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">{planningText}</Text>
        </Group>
      ) : null}
      {children}
      {askPassword ? (
        <PasswordInput
          label={password.label}
          description={password.description}
          value={password.value}
          onChange={(e) => password.onChange(e.currentTarget.value)}
          autoComplete="off"
          w={360}
        />
      ) : null}
      {!planning ? (
        <Group>
          <Button variant="default" size="xs" onClick={onRecheck}>
            {askPassword ? 'Check with this password' : 'Check again'}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
