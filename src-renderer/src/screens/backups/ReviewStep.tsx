// Review: the plan exactly as the core will run it (command, tool and versions, tables and
// size, warnings), or why it cannot run. A version mismatch is shown in full with its install
// advice, since it is the most common way a backup fails; nothing has started at this point.
import { Code, Group, Stack, Table, Text } from '@mantine/core';
import type { BackupPlan } from '@contract/backup';
import type { Profile } from '@contract/models';
import type { OffsiteDestination } from '@contract/offsite';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { CommandBlock, PlanReviewFrame, PlanWarnings, ToolVersionMismatch } from '../../shared/components/jobs/PlanReview';
import type { DetailedError } from '../../shared/components/jobs/useAskOnce';
import { formatCount, formatBytes } from '../../shared/format/numbers';
import { FORMAT_LABELS, KIND_LABELS } from '../../shared/labels/backup';
import { toolLine } from './backup-wizard-model';
import { OffsiteReviewRows } from './OffsiteTarget';
import type { PlanAnswer } from './useBackupJob';

export function PlanError({ error, onShowClientTools }: { error: DetailedError; onShowClientTools: () => void }) {
  if (error.code !== 'TOOL_VERSION_MISMATCH') return <ErrorAlert title="The backup cannot start" error={error} />;
  return <ToolVersionMismatch title="No pg_dump on this machine can dump this server" error={error} onShowClientTools={onShowClientTools} />;
}

function PlanView({ plan, profile, offsite }: { plan: BackupPlan; profile: Profile; offsite: OffsiteDestination | null }) {
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {profile.name}
        </Text>
        <EnvBadge env={profile.env} />
        <Text size="sm" c="dimmed">
          A backup only reads from the server: no confirmation is needed.
        </Text>
      </Group>
      <Table withTableBorder={false} verticalSpacing={4} aria-label="Backup plan">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={170}>Tool</Table.Th>
            <Table.Td>
              <Text size="sm" fw={600}>
                {toolLine(plan)}
              </Text>
              <Text size="xs" c="dimmed">
                {plan.tool.path}
              </Text>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>What</Table.Th>
            <Table.Td>
              {KIND_LABELS[plan.kind]}, {FORMAT_LABELS[plan.format]}
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Tables</Table.Th>
            <Table.Td>
              {plan.kind === 'roles' ? 'none (roles only)' : `${formatCount(plan.tables)} tables, ${formatBytes(plan.totalBytes)} on the server`}
            </Table.Td>
          </Table.Tr>
          {plan.excludedSchemas.length > 0 ? (
            <Table.Tr>
              <Table.Th>Schemas left out</Table.Th>
              <Table.Td>{plan.excludedSchemas.join(', ')}</Table.Td>
            </Table.Tr>
          ) : null}
          {offsite ? <OffsiteReviewRows destination={offsite} profileName={profile.name} plan={plan} /> : null}
          <Table.Tr hidden={offsite !== null}>
            <Table.Th>File</Table.Th>
            <Table.Td>
              <Code>{plan.path}</Code>
              <Text size="xs" c="dimmed">
                written as {plan.partialPath} and renamed only once verified
              </Text>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <CommandBlock
        command={plan.command}
        label="Command"
        note={`The password is never on the command line: pg_dump gets it from a temporary file readable only by you.${
          offsite ? ' Offsite, pg_dump writes to its standard output instead of the file, streamed to the destination.' : ''
        }`}
      />
      <PlanWarnings warnings={plan.warnings} />
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
  /** The destination chosen to write straight to; null: a local file. */
  offsite: OffsiteDestination | null;
}

export function ReviewStep({ profile, answer, planning, onRecheck, onShowClientTools, password, onPassword, offsite }: ReviewStepProps) {
  return (
    <PlanReviewFrame
      planning={planning}
      planningText="Checking the server and the client tools…"
      error={answer?.error ?? null}
      password={{
        label: `Password for ${profile.user}`,
        description: 'Used for this backup only; it is passed to pg_dump through a temporary file, never on the command line.',
        value: password,
        onChange: onPassword,
      }}
      onRecheck={onRecheck}
    >
      {answer?.plan ? <PlanView plan={answer.plan} profile={profile} offsite={offsite} /> : null}
      {answer?.error && !planning ? <PlanError error={answer.error} onShowClientTools={onShowClientTools} /> : null}
    </PlanReviewFrame>
  );
}
