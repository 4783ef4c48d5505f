import { Button, Group, Paper, Select, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { AUDIT_OUTCOMES, type AuditOutcome } from '@contract/models';
import { useAppState } from '../../shared/state/app-state';
import { AUDIT_ACTIONS, type AuditFilters } from './audit-tools';

export function AuditFiltersBar({
  value,
  onChange,
  onApply,
  onReset,
  errors,
}: {
  value: AuditFilters;
  onChange: (next: AuditFilters) => void;
  onApply: () => void;
  onReset: () => void;
  errors: Partial<Record<keyof AuditFilters, string>>;
}) {
  const { profiles } = useAppState();
  const set = <K extends keyof AuditFilters>(key: K, v: AuditFilters[K]) => onChange({ ...value, [key]: v });
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply();
  }
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Audit filters">
      <Group align="flex-end" gap="sm">
        <TextInput type="datetime-local" label="Since" value={value.since} onChange={(e) => set('since', e.currentTarget.value)} error={errors.since} w={200} />
        <TextInput type="datetime-local" label="Until" value={value.until} onChange={(e) => set('until', e.currentTarget.value)} error={errors.until} w={200} />
        <Select
          label="Profile"
          placeholder="Any"
          data={profiles.map((p) => p.name)}
          value={value.profile}
          onChange={(v) => set('profile', v)}
          clearable
          searchable
          w={150}
        />
        <Select label="Action" placeholder="Any" data={AUDIT_ACTIONS} value={value.action} onChange={(v) => set('action', v)} clearable searchable w={170} />
        <Select
          label="Outcome"
          placeholder="Any"
          data={[...AUDIT_OUTCOMES]}
          value={value.outcome}
          onChange={(v) => set('outcome', v as AuditOutcome | null)}
          clearable
          w={110}
        />
        <TextInput
          label="Search"
          placeholder="summary, detail, error…"
          value={value.search}
          onChange={(e) => set('search', e.currentTarget.value)}
          style={{ flex: 1, minWidth: 180 }}
        />
        <Button type="submit">Apply filters</Button>
        <Button variant="subtle" color="gray" onClick={onReset}>
          Reset
        </Button>
      </Group>
    </Paper>
  );
}
