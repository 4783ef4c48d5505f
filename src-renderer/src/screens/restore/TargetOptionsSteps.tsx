// Target (a profile's database, a new database on its server, or the local scratch
// PostgreSQL) and Options (jobs, owners/privileges, clean, the production pre-restore backup).
import { Alert, Checkbox, Group, NumberInput, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import type { Profile } from '@contract/models';
import type { BackupContents } from '@contract/restore';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { IconAlert } from '../../shared/components/icons';
import { MAX_RESTORE_JOBS, databaseNameProblem, jobsApply, preBackupApplies, type RestoreWizardState, type TargetKind } from './restore-model';

interface StepProps {
  state: RestoreWizardState;
  onChange: (next: RestoreWizardState) => void;
}

const TARGET_HELP: Record<TargetKind, { label: string; help: string }> = {
  'new-database': {
    label: 'A new database on a profile’s server',
    help: 'CREATE DATABASE first; dropped again if the restore fails. The safest choice on a shared server.',
  },
  profile: { label: 'The profile’s own database', help: 'Into the database the profile connects to. Objects that already exist are listed at review.' },
  scratch: {
    label: 'Local scratch (no server needed)',
    help: 'A new database in the local scratch PostgreSQL on this workstation; a profile is created for it afterwards.',
  },
};

export function TargetStep({ state, onChange, profiles }: StepProps & { profiles: Profile[] }) {
  const target = profiles.find((p) => p.id === state.targetProfileId) ?? null;
  const nameProblem = state.targetKind === 'new-database' && state.newDatabase !== '' ? databaseNameProblem(state.newDatabase) : null;
  const scratchProblem = state.targetKind === 'scratch' && state.scratchDatabase !== '' ? databaseNameProblem(state.scratchDatabase) : null;
  return (
    <Stack gap="sm">
      <Radio.Group label="Restore into" value={state.targetKind} onChange={(v) => onChange({ ...state, targetKind: v as TargetKind, clean: false })}>
        <Stack gap="xs" mt="xs">
          {(Object.keys(TARGET_HELP) as TargetKind[]).map((kind) => (
            <Radio
              key={kind}
              value={kind}
              label={TARGET_HELP[kind].label}
              description={TARGET_HELP[kind].help}
              disabled={kind !== 'scratch' && profiles.length === 0}
            />
          ))}
        </Stack>
      </Radio.Group>
      {state.targetKind !== 'scratch' ? (
        <Group align="flex-end" gap="sm">
          <Select
            label="Profile"
            data={profiles.map((p) => ({ value: p.id, label: `${p.name} (${p.env}${p.readOnly ? ', read-only' : ''})` }))}
            value={state.targetProfileId}
            onChange={(v) => onChange({ ...state, targetProfileId: v, clean: false })}
            allowDeselect={false}
            w={360}
          />
          {target ? <EnvBadge env={target.env} mb={8} /> : null}
        </Group>
      ) : null}
      {target?.readOnly && state.targetKind !== 'scratch' ? (
        <Alert color="yellow" variant="light" icon={<IconAlert />} title="Read-only profile">
          <Text size="sm">{target.name} is read-only: the core refuses to restore into it. Choose local scratch, or another profile.</Text>
        </Alert>
      ) : null}
      {state.targetKind === 'new-database' ? (
        <TextInput
          label="New database name"
          description={target ? `Created on ${target.host}:${target.port}; it must not exist yet.` : 'Created on the profile’s server; it must not exist yet.'}
          value={state.newDatabase}
          onChange={(e) => onChange({ ...state, newDatabase: e.currentTarget.value })}
          error={nameProblem}
          spellCheck={false}
          autoComplete="off"
          w={360}
        />
      ) : null}
      {state.targetKind === 'scratch' ? (
        <TextInput
          label="Scratch database name"
          description="Optional: leave empty and the core picks a name."
          value={state.scratchDatabase}
          onChange={(e) => onChange({ ...state, scratchDatabase: e.currentTarget.value })}
          error={scratchProblem}
          spellCheck={false}
          autoComplete="off"
          w={360}
        />
      ) : null}
    </Stack>
  );
}

export interface OptionsStepProps extends StepProps {
  contents: BackupContents | null;
  target: Profile | null;
  /** A plan already reported objects that exist in the target. */
  conflictsKnown: boolean;
}

export function OptionsStep({ state, onChange, contents, target, conflictsKnown }: OptionsStepProps) {
  const parallel = jobsApply(contents);
  const preBackup = preBackupApplies(state, target);
  return (
    <Stack gap="md">
      {parallel ? (
        <NumberInput
          label="Parallel jobs"
          description="pg_restore -j: each job is one more connection to the target while the restore runs."
          min={1}
          max={MAX_RESTORE_JOBS}
          allowDecimal={false}
          value={state.jobs}
          onChange={(v) => onChange({ ...state, jobs: typeof v === 'number' ? v : Number.parseInt(v, 10) || 1 })}
          w={260}
        />
      ) : (
        <Text size="sm" c="dimmed">
          A plain SQL script runs through psql in one transaction (-X -v ON_ERROR_STOP=1 --single-transaction): if it fails, nothing is left behind.
        </Text>
      )}
      <Group gap="xl">
        <Checkbox
          label="--no-owner"
          description="Objects belong to whoever restores them"
          checked={state.noOwner}
          onChange={(e) => onChange({ ...state, noOwner: e.currentTarget.checked })}
          disabled={!parallel}
        />
        <Checkbox
          label="--no-privileges"
          description="Skip the dump’s GRANT/REVOKE"
          checked={state.noPrivileges}
          onChange={(e) => onChange({ ...state, noPrivileges: e.currentTarget.checked })}
          disabled={!parallel}
        />
      </Group>
      {state.targetKind === 'profile' && (conflictsKnown || state.clean) ? (
        <Checkbox
          label="Clean first (--clean --if-exists)"
          description="Drop the dump’s objects that already exist in the target before restoring them. Without it, conflicts stop the restore."
          checked={state.clean}
          onChange={(e) => onChange({ ...state, clean: e.currentTarget.checked })}
          color="red"
        />
      ) : null}
      {preBackup ? (
        <Stack gap="xs">
          <Checkbox
            label="Back up the target first"
            description="A full backup of the production database before anything is restored into it (the runbook’s rule)."
            checked={state.preRestoreBackup}
            onChange={(e) => onChange({ ...state, preRestoreBackup: e.currentTarget.checked })}
          />
          {!state.preRestoreBackup ? (
            <Alert color="red" variant="light" icon={<IconAlert />} title="No backup of production before the restore">
              <Text size="sm">
                Turning the pre-restore backup off is recorded in the audit trail with your name. If the restore goes wrong, there is no copy of the database as
                it was.
              </Text>
            </Alert>
          ) : null}
        </Stack>
      ) : null}
    </Stack>
  );
}
