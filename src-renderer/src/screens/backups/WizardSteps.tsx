// The wizard's choice steps: what to dump, in which format, with which options, and where.
// Each edits the WizardState; what blocks a step is decided in backup-wizard-model.ts.
import { Alert, Button, Checkbox, Code, Group, NumberInput, Radio, SimpleGrid, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import type { BackupFormat, BackupKind } from '@contract/backup';
import type { OffsiteDestination } from '@contract/offsite';
import type { ShownError } from '../../shared/state/errors';
import { FORMAT_LABELS, KIND_LABELS } from '../../shared/labels/backup';
import { MAX_JOBS, fileNameOf, folderOf, formatsFor, supabasePresetNote, withFormat, withKind, type WizardState } from './backup-wizard-model';
import { TargetChoice } from './OffsiteTarget';
import type { PlanAnswer } from './useBackupJob';

interface StepProps {
  state: WizardState;
  onChange: (next: WizardState) => void;
}

const KIND_HELP: Record<BackupKind, string> = {
  full: 'Every object and its data: what you restore after losing the database.',
  schema: 'Tables, functions, indexes… without rows: the runbook’s schema backup.',
  data: 'Rows only, for a database whose schema is already in place.',
  roles: 'Users and groups of the whole server, without their passwords (pg_dumpall --roles-only --no-role-passwords).',
};

export function WhatStep({ state, onChange }: StepProps) {
  return (
    <Radio.Group label="What to back up" value={state.kind} onChange={(v) => onChange(withKind(state, v as BackupKind))}>
      <Stack gap="xs" mt="xs">
        {(Object.keys(KIND_LABELS) as BackupKind[]).map((kind) => (
          <Radio key={kind} value={kind} label={KIND_LABELS[kind]} description={KIND_HELP[kind]} />
        ))}
      </Stack>
    </Radio.Group>
  );
}

const FORMAT_HELP: Record<BackupFormat, string> = {
  custom: 'One compressed file (-Fc); pg_restore can pick objects from it and restore in parallel. The runbook’s default.',
  plain: 'A .sql script for psql: readable, restores only as a whole.',
  directory: 'A folder with one file per table (-Fd): the only format pg_dump can write with parallel jobs.',
};

export function FormatStep({ state, onChange }: StepProps) {
  const allowed = formatsFor(state.kind);
  return (
    <Stack gap="sm">
      <Radio.Group label="Format" value={state.format} onChange={(v) => onChange(withFormat(state, v as BackupFormat))}>
        <Stack gap="xs" mt="xs">
          {(Object.keys(FORMAT_LABELS) as BackupFormat[]).map((format) => (
            <Radio
              key={format}
              value={format}
              label={FORMAT_LABELS[format]}
              description={FORMAT_HELP[format]}
              disabled={!allowed.includes(format) || (format === 'directory' && state.offsite !== null)}
            />
          ))}
        </Stack>
      </Radio.Group>
      {state.offsite !== null && state.kind !== 'roles' ? (
        <Text size="sm" c="dimmed">
          Directory is not offered while the backup goes to {state.offsite}: a folder of files cannot be streamed offsite as one object.
        </Text>
      ) : null}
      {state.kind === 'roles' ? (
        <Text size="sm" c="dimmed">
          Roles are written by pg_dumpall as plain SQL only.
        </Text>
      ) : null}
      {state.format === 'directory' ? (
        <NumberInput
          label="Parallel jobs"
          description="pg_dump -j: each job holds one more connection to the server while the dump runs."
          min={1}
          max={MAX_JOBS}
          allowDecimal={false}
          value={state.jobs}
          onChange={(v) => onChange({ ...state, jobs: typeof v === 'number' ? v : Number.parseInt(v, 10) || 1 })}
          w={220}
        />
      ) : null}
    </Stack>
  );
}

function TagsField({ label, description, value, onChange }: { label: string; description: string; value: string[]; onChange: (v: string[]) => void }) {
  return <TagsInput label={label} description={description} value={value} onChange={onChange} clearable splitChars={[',', ' ']} data-tags-input="" />;
}

export function OptionsStep({ state, onChange }: StepProps) {
  const roles = state.kind === 'roles';
  return (
    <Stack gap="md">
      <Group gap="xl">
        <Checkbox
          label="--no-owner"
          description="Objects restore as whoever restores them (runbook default)"
          checked={state.noOwner}
          onChange={(e) => onChange({ ...state, noOwner: e.currentTarget.checked })}
        />
        <Checkbox
          label="--no-privileges"
          description="No GRANT/REVOKE in the dump (runbook default)"
          checked={state.noPrivileges}
          onChange={(e) => onChange({ ...state, noPrivileges: e.currentTarget.checked })}
        />
      </Group>
      {roles ? (
        <Text size="sm" c="dimmed">
          pg_dumpall takes no schema or table filters: every role of the server is written.
        </Text>
      ) : (
        <>
          <SimpleGrid cols={2} spacing="md">
            <TagsField
              label="Include schemas"
              description="Only these schemas (-n); Enter or comma after each"
              value={state.includeSchemas}
              onChange={(v) => onChange({ ...state, includeSchemas: v })}
            />
            <TagsField
              label="Exclude schemas"
              description="Leave these schemas out (-N)"
              value={state.excludeSchemas}
              onChange={(v) => onChange({ ...state, excludeSchemas: v })}
            />
            <TagsField
              label="Include tables"
              description="Only these tables (-t), e.g. public.orders"
              value={state.includeTables}
              onChange={(v) => onChange({ ...state, includeTables: v })}
            />
            <TagsField
              label="Exclude tables"
              description="Leave these tables out (-T)"
              value={state.excludeTables}
              onChange={(v) => onChange({ ...state, excludeTables: v })}
            />
          </SimpleGrid>
          <Checkbox
            label="Supabase preset"
            description={supabasePresetNote()}
            checked={state.supabase}
            onChange={(e) => onChange({ ...state, supabase: e.currentTarget.checked })}
          />
        </>
      )}
      <Group gap="xl" align="flex-start">
        <NumberInput
          label="Compression level"
          description="0 (none) to 9 (smallest); empty: pg_dump’s default"
          min={0}
          max={9}
          allowDecimal={false}
          value={state.compression ?? ''}
          onChange={(v) => onChange({ ...state, compression: v === '' ? null : typeof v === 'number' ? v : Number.parseInt(v, 10) })}
          w={260}
        />
        <Checkbox
          mt="lg"
          label="Pre-operation marker"
          description="Call the ops toolkit’s create_backup_metadata() first, when it is installed (runbook: before major operations)"
          checked={state.preOperationMarker}
          onChange={(e) => onChange({ ...state, preOperationMarker: e.currentTarget.checked })}
        />
      </Group>
    </Stack>
  );
}

export interface DestinationStepProps extends StepProps {
  defaultPlan: PlanAnswer | null;
  planning: boolean;
  destinations: OffsiteDestination[];
  destinationsError: ShownError | null;
}

export function DestinationStep({ state, onChange, defaultPlan, planning, destinations, destinationsError }: DestinationStepProps) {
  const defaultFolder = defaultPlan?.plan ? folderOf(defaultPlan.plan.path) : null;
  const name = defaultPlan?.plan ? fileNameOf(defaultPlan.plan.path) : null;
  const choice = <TargetChoice state={state} onChange={onChange} destinations={destinations} error={destinationsError} />;
  if (state.offsite !== null) return <Stack gap="sm">{choice}</Stack>;
  return (
    <Stack gap="sm">
      {choice}
      <Text size="sm">
        Default: the app’s backups folder
        {defaultFolder ? (
          <>
            , <Code>{defaultFolder}</Code>
          </>
        ) : planning ? (
          ' (asking the core for its path…)'
        ) : null}
      </Text>
      {defaultPlan?.error ? (
        <Alert color="yellow" variant="light" title="The plan could not be made yet">
          <Text size="sm">{defaultPlan.error.message}</Text>
          <Text size="xs" c="dimmed">
            Review shows it in full.
          </Text>
        </Alert>
      ) : null}
      <TextInput
        label="Folder"
        description="Leave empty for the app’s backups folder; the file name is chosen for you."
        placeholder={defaultFolder ?? 'the app’s backups folder'}
        value={state.outDir}
        onChange={(e) => onChange({ ...state, outDir: e.currentTarget.value })}
        spellCheck={false}
        autoComplete="off"
      />
      {state.outDir.trim() !== '' ? (
        <Group>
          <Button variant="subtle" size="xs" onClick={() => onChange({ ...state, outDir: '' })}>
            Use the app’s backups folder
          </Button>
        </Group>
      ) : null}
      {name ? (
        <Text size="sm" c="dimmed">
          File name: <Code>{name}</Code> (profile, kind and time; written as <Code>.partial</Code> until verified)
        </Text>
      ) : null}
    </Stack>
  );
}
