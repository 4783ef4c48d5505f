// Review: the plan exactly as the core will run it (command, tool and versions, tables and
// size, warnings), or why it cannot run. A version mismatch is shown in full with its install
// advice, since it is the most common way a backup fails; nothing has started at this point.
import { Alert, Button, Code, CopyButton, Group, List, Loader, PasswordInput, Stack, Table, Text } from '@mantine/core';
import type { BackupPlan } from '../../../../src-main/contract/backup';
import type { Profile } from '../../../../src-main/contract/models';
import { EnvBadge } from '../../components/EnvBadge';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IconAlert } from '../../components/icons';
import type { ShownError } from '../../state/errors';
import { formatCount } from '../../state/format';
import { FORMAT_LABELS, KIND_LABELS, formatBytes, toolLine } from './backup-wizard-model';
import type { PlanAnswer } from './useBackupJob';

/** One line per tool the core found, whatever shape its detail carries. */
export function foundLines(detail: unknown): string[] {
  if (!detail || typeof detail !== 'object') return [];
  const found = (detail as { found?: unknown }).found;
  if (!Array.isArray(found)) return [];
  return found.map((item) => {
    if (typeof item === 'string') return item;
    if (item && typeof item === 'object') {
      const { version, path } = item as { version?: unknown; path?: unknown };
      return [typeof version === 'string' ? version : '', typeof path === 'string' ? `(${path})` : ''].filter(Boolean).join(' ');
    }
    return String(item);
  });
}

export function PlanError({ error, onShowClientTools }: { error: ShownError & { detail?: unknown }; onShowClientTools: () => void }) {
  if (error.code !== 'TOOL_VERSION_MISMATCH') return <ErrorAlert title="The backup cannot start" error={error} />;
  const found = foundLines(error.detail);
  return (
    <Alert role="alert" color="red" variant="light" icon={<IconAlert />} title="No pg_dump on this machine can dump this server">
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{error.message}</Text>
      {found.length > 0 ? (
        <>
          <Text size="sm" mt="xs" fw={500}>Found here:</Text>
          <List size="sm">{found.map((line) => <List.Item key={line}>{line}</List.Item>)}</List>
        </>
      ) : null}
      <Group mt="sm" gap="xs">
        <Button size="xs" variant="light" color="red" onClick={onShowClientTools}>Open the client tools panel</Button>
        <Text size="xs" c="dimmed">Error code <Code>{error.code}</Code></Text>
      </Group>
    </Alert>
  );
}

function PlanView({ plan, profile }: { plan: BackupPlan; profile: Profile }) {
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={600}>{profile.name}</Text>
        <EnvBadge env={profile.env} />
        <Text size="sm" c="dimmed">A backup only reads from the server: no confirmation is needed.</Text>
      </Group>
      <Table withTableBorder={false} verticalSpacing={4} aria-label="Backup plan">
        <Table.Tbody>
          <Table.Tr><Table.Th w={170}>Tool</Table.Th><Table.Td><Text size="sm" fw={600}>{toolLine(plan)}</Text><Text size="xs" c="dimmed">{plan.tool.path}</Text></Table.Td></Table.Tr>
          <Table.Tr><Table.Th>What</Table.Th><Table.Td>{KIND_LABELS[plan.kind]}, {FORMAT_LABELS[plan.format]}</Table.Td></Table.Tr>
          <Table.Tr>
            <Table.Th>Tables</Table.Th>
            <Table.Td>{plan.kind === 'roles' ? 'none (roles only)' : `${formatCount(plan.tables)} tables, ${formatBytes(plan.totalBytes)} on the server`}</Table.Td>
          </Table.Tr>
          {plan.excludedSchemas.length > 0 ? (
            <Table.Tr><Table.Th>Schemas left out</Table.Th><Table.Td>{plan.excludedSchemas.join(', ')}</Table.Td></Table.Tr>
          ) : null}
          <Table.Tr><Table.Th>File</Table.Th><Table.Td><Code>{plan.path}</Code><Text size="xs" c="dimmed">written as {plan.partialPath} and renamed only once verified</Text></Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
      <Stack gap={4}>
        <Group justify="space-between">
          <Text size="sm" fw={600}>Command</Text>
          <CopyButton value={plan.command}>
            {({ copied, copy }) => <Button size="xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy command'}</Button>}
          </CopyButton>
        </Group>
        <Code block aria-label="Command" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{plan.command}</Code>
        <Text size="xs" c="dimmed">The password is never on the command line: pg_dump gets it from a temporary file readable only by you.</Text>
      </Stack>
      {plan.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" title="Warnings">
          <List size="sm">{plan.warnings.map((w) => <List.Item key={w}>{w}</List.Item>)}</List>
        </Alert>
      ) : null}
    </Stack>
  );
}

export interface ReviewStepProps {
  profile: Profile;
  answer: PlanAnswer | null;
  planning: boolean;
  onRecheck: () => void;
  onShowClientTools: () => void;
  password: string;
  onPassword: (value: string) => void;
}

export function ReviewStep({ profile, answer, planning, onRecheck, onShowClientTools, password, onPassword }: ReviewStepProps) {
  const needsPassword = answer?.error && (answer.error.code === 'PASSWORD_REQUIRED' || answer.error.code === 'AUTH_FAILED');
  return (
    <Stack gap="sm" aria-label="Review" role="group">
      {planning ? (
        <Group gap="xs"><Loader size="sm" /><Text size="sm">Checking the server and the client tools…</Text></Group>
      ) : null}
      {answer?.plan ? <PlanView plan={answer.plan} profile={profile} /> : null}
      {answer?.error && !planning ? <PlanError error={answer.error} onShowClientTools={onShowClientTools} /> : null}
      {needsPassword ? (
        <PasswordInput
          label={`Password for ${profile.user}`}
          description="Used for this backup only; it is passed to pg_dump through a temporary file, never on the command line."
          value={password}
          onChange={(e) => onPassword(e.currentTarget.value)}
          autoComplete="off"
          w={360}
        />
      ) : null}
      {!planning ? (
        <Group>
          <Button variant="default" size="xs" onClick={onRecheck}>{needsPassword ? 'Check with this password' : 'Check again'}</Button>
        </Group>
      ) : null}
    </Stack>
  );
}
