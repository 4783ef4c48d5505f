// Review: the plan exactly as the core will run it (command, tool and versions, the target's
// state and the objects that would conflict), or why it cannot run. A read-only profile and a
// tool version mismatch are explained in full; production asks for the typed name here.
import { Alert, Badge, Checkbox, Code, Group, List, Stack, Table, Text } from '@mantine/core';
import { ENVIRONMENTS, type Environment } from '@contract/models';
import type { RestorePlan } from '@contract/restore';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert } from '../../shared/components/icons';
import { CommandBlock, PlanReviewFrame, PlanWarnings, ToolVersionMismatch } from '../../shared/components/jobs/PlanReview';
import type { DetailedError } from '../../shared/components/jobs/useAskOnce';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { shortVersion } from '../../shared/client-tools/client-tools-model';
import { conflictName, targetStateText } from './restore-model';
import type { PlanAnswer } from './useRestoreJob';

function isEnvironment(env: string | null): env is Environment {
  return ENVIRONMENTS.some((e) => e === env);
}

export function RestorePlanError({ error, onShowClientTools }: { error: DetailedError; onShowClientTools: () => void }) {
  if (error.code === 'READ_ONLY') {
    return (
      <Alert role="alert" color="yellow" variant="light" icon={<IconAlert />} title="This profile is read-only">
        <Text size="sm">{error.message}</Text>
        <Text size="xs" c="dimmed" mt={4}>
          A read-only profile never receives a restore. Restore into local scratch or a new database on another profile, or turn read-only off in Profiles if
          this really is the target.
        </Text>
      </Alert>
    );
  }
  if (error.code !== 'TOOL_VERSION_MISMATCH') return <ErrorAlert title="The restore cannot start" error={error} />;
  return <ToolVersionMismatch title="No client tool on this machine can restore this dump" error={error} onShowClientTools={onShowClientTools} />;
}

function PlanView({ plan, clean, onClean }: { plan: RestorePlan; clean: boolean; onClean: (value: boolean) => void }) {
  const dumpVersion = plan.contents.pgDumpVersion ? shortVersion(plan.contents.pgDumpVersion) : 'unknown';
  return (
    <Stack gap="sm">
      <Table withTableBorder={false} verticalSpacing={4} aria-label="Restore plan">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={170}>Target</Table.Th>
            <Table.Td>
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {plan.target.profile}
                </Text>
                {isEnvironment(plan.target.env) ? <EnvBadge env={plan.target.env} /> : null}
                <Text size="sm">
                  database <Code>{plan.target.database}</Code> on PostgreSQL {shortVersion(plan.target.serverVersion)}
                </Text>
              </Group>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Target state</Table.Th>
            <Table.Td>{targetStateText(plan)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Tool</Table.Th>
            <Table.Td>
              <Text size="sm" fw={600}>
                {plan.tool.name} {shortVersion(plan.tool.version)} for a dump made by pg_dump {dumpVersion}
              </Text>
              <Text size="xs" c="dimmed">
                {plan.tool.path}
              </Text>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Pre-restore backup</Table.Th>
            <Table.Td>{plan.preRestoreBackup ? 'Yes: the target is backed up first' : 'No'}</Table.Td>
          </Table.Tr>
          {plan.supabase ? (
            <Table.Tr>
              <Table.Th>Supabase backup</Table.Th>
              <Table.Td>
                {plan.supabase.mode === 'project'
                  ? 'Into a Supabase project: the auth/storage rows and what users added there; the platform keeps its own objects.'
                  : 'No Supabase platform on the target: auth and storage come from the backup as stand-ins.'}
                {plan.supabase.rolesToCreate.length > 0 ? <Text size="xs">Roles created first: {plan.supabase.rolesToCreate.join(', ')}</Text> : null}
                {plan.supabase.fix ? (
                  <Code block mt={4}>
                    {plan.supabase.fix}
                  </Code>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ) : null}
        </Table.Tbody>
      </Table>
      <CommandBlock
        command={plan.command}
        label="Restore command"
        note="The password is never on the command line: the tool gets it from a temporary file readable only by you."
      />
      {plan.conflicts.length > 0 ? (
        <Alert
          color={plan.blocked ? 'red' : 'orange'}
          variant="light"
          icon={<IconAlert />}
          title={`${plan.conflicts.length} object${plan.conflicts.length === 1 ? '' : 's'} already exist in the target`}
          role="region"
          aria-label="Conflicts"
        >
          <List size="sm" mah={180} style={{ overflow: 'auto' }}>
            {plan.conflicts.map((c) => (
              <List.Item key={`${c.type} ${conflictName(c)}`}>
                <Badge size="xs" variant="outline" mr={6}>
                  {c.type}
                </Badge>
                {conflictName(c)}
              </List.Item>
            ))}
          </List>
          {plan.blocked ? (
            <Text size="sm" mt="xs" fw={500}>
              {plan.blocked}
            </Text>
          ) : null}
          <Checkbox
            mt="sm"
            color="red"
            label="Clean first (--clean --if-exists): drop these objects, then restore them"
            checked={clean}
            onChange={(e) => onClean(e.currentTarget.checked)}
          />
        </Alert>
      ) : null}
      {plan.blocked && plan.conflicts.length === 0 ? (
        // Refusals that no clean can fix (missing roles, a taken name): the reason and its fix.
        <Alert color="red" variant="light" icon={<IconAlert />} title="This restore cannot run as planned" role="region" aria-label="Blocked">
          <Text size="sm">{plan.blocked}</Text>
        </Alert>
      ) : null}
      <PlanWarnings warnings={plan.warnings} />
    </Stack>
  );
}

export interface RestoreReviewProps {
  answer: PlanAnswer | null;
  planning: boolean;
  onRecheck: () => void;
  onShowClientTools: () => void;
  clean: boolean;
  onClean: (value: boolean) => void;
  password: string;
  onPassword: (value: string) => void;
  /** The profile's name to type when the plan asks for confirmation. */
  confirmName: string | null;
  typed: string;
  onTyped: (value: string) => void;
}

export function RestoreReview(props: RestoreReviewProps) {
  const { answer, planning } = props;
  return (
    <PlanReviewFrame
      planning={planning}
      planningText="Checking the target, the client tools and what would conflict…"
      error={answer?.error ?? null}
      password={{
        label: 'Password for the target',
        description: 'Used for this restore only; passed to the tool through a temporary file, never on the command line.',
        value: props.password,
        onChange: props.onPassword,
      }}
      onRecheck={props.onRecheck}
    >
      {answer?.plan ? <PlanView plan={answer.plan} clean={props.clean} onClean={props.onClean} /> : null}
      {answer?.plan?.confirmationRequired && props.confirmName ? (
        <TypedNameConfirm name={props.confirmName} value={props.typed} onChange={props.onTyped} />
      ) : null}
      {answer?.error && !planning ? <RestorePlanError error={answer.error} onShowClientTools={props.onShowClientTools} /> : null}
    </PlanReviewFrame>
  );
}
