// The profile's alert thresholds: the runbook's table and ours, each editable in its own
// unit (sizes in GB), with a reset to the default per row. Save sends only the rows that
// changed; the core validates them (a critical below its warning, say) and names the field.
import { Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { errorDetail } from '@contract/errors';
import type { Profile } from '@contract/models';
import type { ThresholdSetting } from '@contract/runbook';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { changesOf, draftOf, rowFieldOf, UNIT_LABEL, type ThresholdChanges, type ThresholdDraft } from './panels-model';

type FieldErrors = Record<string, Partial<Record<'warn' | 'critical', string>>>;

function draftsOf(settings: ThresholdSetting[]): Record<string, ThresholdDraft> {
  return Object.fromEntries(settings.map((s) => [s.key, draftOf(s.warn, s.critical, s.unit)]));
}

/** Field messages of an INVALID_INPUT answer mapped onto the rows that were sent; null when none names a row. */
function serverFieldErrors(err: unknown, sent: ThresholdChanges['values']): FieldErrors | null {
  if (!(err instanceof OpsError) || err.code !== 'INVALID_INPUT') return null;
  const out: FieldErrors = {};
  const fields = errorDetail(err, 'INVALID_INPUT')?.fields ?? [];
  for (const item of fields) {
    const at = rowFieldOf(item.field, sent);
    if (!at) continue;
    const row = (out[at.key] ??= {});
    // The core refuses one value at a time, and its message says it in the metric's unit.
    row[at.field ?? 'warn'] ??= fields.length === 1 ? err.message : item.message;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function SourceCell({ setting }: { setting: ThresholdSetting }) {
  if (setting.source === 'runbook')
    return (
      <Badge variant="light" color="blue" radius="sm">
        runbook
      </Badge>
    );
  return (
    <Stack gap={2}>
      <Tooltip label={setting.rationale ?? 'Ours: the runbook has no threshold for this.'} multiline w={360} withArrow>
        <Badge variant="light" color="grape" radius="sm" style={{ cursor: 'help' }}>
          ours
        </Badge>
      </Tooltip>
      {setting.rationale ? (
        <Text size="xs" c="dimmed" lineClamp={2} title={setting.rationale}>
          {setting.rationale}
        </Text>
      ) : null}
    </Stack>
  );
}

interface RowProps {
  setting: ThresholdSetting;
  draft: ThresholdDraft;
  errors: Partial<Record<'warn' | 'critical', string>> | undefined;
  onChange: (draft: ThresholdDraft) => void;
  disabled: boolean;
}

function ThresholdRow({ setting, draft, errors, onChange, disabled }: RowProps) {
  const unit = UNIT_LABEL[setting.unit];
  const defaults = draftOf(setting.defaultWarn, setting.defaultCritical, setting.unit);
  const atDefault = draft.warn === defaults.warn && draft.critical === defaults.critical;
  const side = setting.direction === 'above' ? 'above' : 'below';
  return (
    <Table.Tr aria-label={setting.metric}>
      <Table.Td>
        <Group gap={6}>
          <Text size="sm" fw={500}>
            {setting.metric}
          </Text>
          {setting.overridden ? (
            <Badge size="xs" variant="filled" color="orange" radius="sm">
              custom
            </Badge>
          ) : null}
        </Group>
        <Text size="xs" c="dimmed">
          alert {side}; unit {unit}
        </Text>
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={`Warning for ${setting.metric} (${unit})`}
          value={draft.warn}
          onChange={(warn) => onChange({ ...draft, warn })}
          min={0}
          max={setting.unit === 'percent' ? 100 : undefined}
          decimalScale={setting.unit === 'count' ? 0 : 2}
          rightSection={
            <Text size="xs" c="dimmed">
              {unit}
            </Text>
          }
          error={errors?.warn}
          disabled={disabled}
          w={140}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={`Critical for ${setting.metric} (${unit})`}
          value={draft.critical}
          onChange={(critical) => onChange({ ...draft, critical })}
          min={0}
          max={setting.unit === 'percent' ? 100 : undefined}
          decimalScale={setting.unit === 'count' ? 0 : 2}
          placeholder="never critical"
          rightSection={
            <Text size="xs" c="dimmed">
              {unit}
            </Text>
          }
          error={errors?.critical}
          disabled={disabled}
          w={150}
        />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{setting.action}</Text>
      </Table.Td>
      <Table.Td>
        <SourceCell setting={setting} />
      </Table.Td>
      <Table.Td>
        <Button
          size="xs"
          variant="subtle"
          onClick={() => onChange(defaults)}
          disabled={disabled || atDefault}
          aria-label={`Reset ${setting.metric} to default`}
        >
          Reset to default
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function useThresholds(profileId: string) {
  const [settings, setSettings] = useState<ThresholdSetting[] | null>(null);
  const [loadError, setLoadError] = useState<ShownError | null>(null);
  const load = useCallback(async () => {
    try {
      setSettings((await api.getThresholds({ profileId })).thresholds);
      setLoadError(null);
    } catch (err) {
      setLoadError(toShownError(err));
    }
  }, [profileId]);
  return { settings, setSettings, loadError, load };
}

function changeCount(changes: ThresholdChanges): number {
  return changes.values.length + changes.reset.length;
}

export function ThresholdsPanel({ profile }: { profile: Profile }) {
  const [open, setOpen] = useState(() => readSetting('checklists.thresholds-open') === 'yes');
  const { settings, setSettings, loadError, load } = useThresholds(profile.id);
  const [drafts, setDrafts] = useState<Record<string, ThresholdDraft>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [saveError, setSaveError] = useState<ShownError | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (open && settings === null) void load();
  }, [open, settings, load]);
  useEffect(() => {
    if (settings) setDrafts(draftsOf(settings));
  }, [settings]);

  function toggle() {
    setOpen((o) => {
      writeSetting('checklists.thresholds-open', o ? 'no' : 'yes');
      return !o;
    });
  }

  const changes = settings ? changesOf(settings, drafts) : { values: [], reset: [], errors: {} };
  const pending = changeCount(changes);
  const invalid = Object.keys(changes.errors).length > 0;

  function edit(key: string, draft: ThresholdDraft) {
    setDrafts((d) => ({ ...d, [key]: draft }));
    setServerErrors((e) => {
      if (!(key in e)) return e;
      const { [key]: _gone, ...rest } = e;
      return rest;
    });
    setSaved(null);
  }

  async function save() {
    if (pending === 0 || invalid) return;
    setSaving(true);
    setSaveError(null);
    setServerErrors({});
    try {
      const answer = await api.setThresholds({ profileId: profile.id, values: changes.values, reset: changes.reset });
      setSettings(answer.thresholds);
      setSaved(`${pending} ${pending === 1 ? 'threshold' : 'thresholds'} saved for ${profile.name}: the next checks are judged by them.`);
    } catch (err) {
      const byRow = serverFieldErrors(err, changes.values);
      if (byRow) setServerErrors(byRow);
      else setSaveError(toShownError(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Paper component="section" withBorder p="md" aria-label="Alert thresholds">
      <Stack gap="sm">
        <Group gap="xs">
          <Title order={3}>
            <UnstyledButton onClick={toggle} aria-expanded={open} aria-controls="thresholds-body" fz="inherit" fw="inherit">
              <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>Alert thresholds
            </UnstyledButton>
          </Title>
          {settings && settings.some((s) => s.overridden) ? (
            <Badge size="sm" color="orange" variant="light">
              {settings.filter((s) => s.overridden).length} custom
            </Badge>
          ) : null}
        </Group>
        {open ? (
          <Stack gap="sm" id="thresholds-body">
            <Text size="sm" c="dimmed">
              What the checks on {profile.name} are judged by. A value past the warning is WARNING, past the critical is CRITICAL; leave critical empty for
              never critical. Sizes are in GB (1024³ bytes).
            </Text>
            {loadError ? <ErrorAlert title="The thresholds could not be read" error={loadError} /> : null}
            {!settings ? (
              loadError ? null : (
                <Text size="sm" c="dimmed">
                  Loading…
                </Text>
              )
            ) : settings.length === 0 ? (
              <Text size="sm" c="dimmed">
                No thresholds are defined.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing="xs" aria-label="Thresholds">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Metric</Table.Th>
                      <Table.Th>Warning</Table.Th>
                      <Table.Th>Critical</Table.Th>
                      <Table.Th>Action</Table.Th>
                      <Table.Th>Source</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {settings.map((s) => (
                      <ThresholdRow
                        key={s.key}
                        setting={s}
                        draft={drafts[s.key] ?? draftOf(s.warn, s.critical, s.unit)}
                        errors={serverErrors[s.key] ?? changes.errors[s.key]}
                        onChange={(d) => edit(s.key, d)}
                        disabled={saving}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {saveError ? <ErrorAlert title="The thresholds were not saved" error={saveError} onClose={() => setSaveError(null)} /> : null}
            {saved ? (
              <Text size="sm" c="green" role="status">
                {saved}
              </Text>
            ) : null}
            {settings && settings.length > 0 ? (
              <Group gap="sm">
                <Button onClick={() => void save()} loading={saving} disabled={pending === 0 || invalid}>
                  Save thresholds
                </Button>
                <Button variant="default" onClick={() => setDrafts(draftsOf(settings))} disabled={pending === 0 || saving}>
                  Discard changes
                </Button>
                <Text size="sm" c="dimmed">
                  {pending === 0 ? 'No unsaved changes.' : `${pending} unsaved ${pending === 1 ? 'change' : 'changes'}.`}
                </Text>
              </Group>
            ) : null}
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}
