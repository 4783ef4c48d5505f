// Bulk cleanup, the runbook's two recipes: idle in transaction for more than N minutes, or
// idle for more than N hours, with users and applications kept out. Preview lists exactly
// the sessions that would end (and the ones kept, with why); Terminate sends only those
// pids, which the core re-checks one by one, and the result says what happened to each.
import { Alert, Button, Group, Modal, NumberInput, Radio, Stack, Table, TagsInput, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { CleanupMatch, CleanupPreview, CleanupResult } from '@contract/activity';
import type { Profile } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration } from '../../shared/format/time';
import {
  SUGGESTED_EXCLUDED_APPS,
  SUGGESTED_EXCLUDED_USERS,
  cleanupRuleOf,
  defaultCleanupDraft,
  explainRefusal,
  oneLine,
  type CleanupDraft,
  type CleanupRecipe,
} from './activity-model';

function MatchTable({ label, rows, why }: { label: string; rows: Array<CleanupMatch & { why?: string }>; why: boolean }) {
  return (
    <Table aria-label={label} striped verticalSpacing={2} fz="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>pid</Table.Th>
          <Table.Th>User</Table.Th>
          <Table.Th>Application</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th ta="right">For</Table.Th>
          <Table.Th>Query</Table.Th>
          {why ? <Table.Th>Kept because</Table.Th> : null}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((m) => (
          <Table.Tr key={m.pid}>
            <Table.Td ff="monospace">{m.pid}</Table.Td>
            <Table.Td>{m.user ?? '—'}</Table.Td>
            <Table.Td>{m.application || '—'}</Table.Td>
            <Table.Td>{m.state ?? '—'}</Table.Td>
            <Table.Td ta="right">{formatDuration(m.durationMs)}</Table.Td>
            <Table.Td maw={280}>
              <Text size="xs" ff="monospace" lineClamp={1} title={m.query}>
                {oneLine(m.query, 80) || '—'}
              </Text>
            </Table.Td>
            {why ? <Table.Td>{m.why}</Table.Td> : null}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ResultView({ result }: { result: CleanupResult }) {
  return (
    <Alert
      color={result.skipped.length === 0 ? 'teal' : 'yellow'}
      variant="light"
      role="status"
      title={`Terminated ${result.terminated.length} of ${result.matched.length} sessions`}
    >
      <Stack gap={4}>
        <Text size="sm">{result.rule}</Text>
        {result.terminated.length > 0 ? <Text size="sm">Terminated: {result.terminated.join(', ')}</Text> : null}
        {result.skipped.map((s) => (
          <Text key={s.pid} size="sm">
            Skipped {s.pid}: {s.reason}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

export function CleanupDialog({
  opened,
  profile,
  password,
  onClose,
  onDone,
}: {
  opened: boolean;
  profile: Profile;
  password: string | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const [draft, setDraft] = useState<CleanupDraft>(defaultCleanupDraft);
  const [preview, setPreview] = useState<CleanupPreview | null>(null);
  const [result, setResult] = useState<CleanupResult | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState<'preview' | 'run' | null>(null);
  const [error, setError] = useState<(ShownError & { why: string | null }) | null>(null);
  const production = profile.env === 'production';

  useEffect(() => {
    if (!opened) return;
    setPreview(null);
    setResult(null);
    setError(null);
    setTyped('');
  }, [opened]);

  function change(next: Partial<CleanupDraft>) {
    setDraft((d) => ({ ...d, ...next }));
    // A preview is only good for the rule it was made with.
    setPreview(null);
    setResult(null);
  }

  function fail(err: unknown) {
    setError({ ...toShownError(err), why: err instanceof OpsError ? explainRefusal(err.code, 'cleanup') : null });
  }

  async function runPreview() {
    setBusy('preview');
    setError(null);
    setResult(null);
    try {
      setPreview(await api.previewSessionCleanup(cleanupRuleOf(profile.id, draft, password)));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  }

  async function runCleanup() {
    if (!preview) return;
    setBusy('run');
    setError(null);
    try {
      const rule = cleanupRuleOf(profile.id, draft, password);
      setResult(await api.runSessionCleanup({ rule, pids: preview.matched.map((m) => m.pid), ...(production ? { confirmName: typed } : {}) }));
      setPreview(null);
      onDone();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  }

  const count = preview?.matched.length ?? 0;
  return (
    <Modal opened={opened} onClose={onClose} size="xl" title="Clean up idle sessions">
      <Stack gap="sm">
        <Radio.Group label="Rule" value={draft.recipe} onChange={(v) => change({ recipe: v as CleanupRecipe })}>
          <Stack gap={6} mt={4}>
            <Group gap="xs">
              <Radio value="idleInTransaction" label="Idle in transaction for more than" />
              <NumberInput
                aria-label="Minutes idle in transaction"
                size="xs"
                w={90}
                min={0}
                value={draft.idleInTransactionMinutes}
                onChange={(v) => change({ idleInTransactionMinutes: typeof v === 'number' ? v : 0 })}
                disabled={draft.recipe !== 'idleInTransaction'}
              />
              <Text size="sm">minutes</Text>
            </Group>
            <Group gap="xs">
              <Radio value="idle" label="Idle for more than" />
              <NumberInput
                aria-label="Hours idle"
                size="xs"
                w={90}
                min={0}
                decimalScale={2}
                value={draft.idleHours}
                onChange={(v) => change({ idleHours: typeof v === 'number' ? v : 0 })}
                disabled={draft.recipe !== 'idle'}
              />
              <Text size="sm">hours</Text>
            </Group>
          </Stack>
        </Radio.Group>
        <Group grow align="flex-start">
          <TagsInput
            label="Keep these users"
            description="Replication roles, pooler roles"
            data={SUGGESTED_EXCLUDED_USERS}
            value={draft.excludeUsers}
            onChange={(v) => change({ excludeUsers: v })}
            clearable
          />
          <TagsInput
            label="Keep these applications"
            description="Poolers such as pgbouncer or supavisor"
            data={SUGGESTED_EXCLUDED_APPS}
            value={draft.excludeApps}
            onChange={(v) => change({ excludeApps: v })}
            clearable
          />
        </Group>
        <Text size="xs" c="dimmed">
          Ops Console’s own connections are always kept.
        </Text>
        <Group>
          <Button variant="default" onClick={() => void runPreview()} loading={busy === 'preview'}>
            Preview
          </Button>
        </Group>
        {error ? (
          <Stack gap={4}>
            <ErrorAlert title="The cleanup did not run" error={error} />
            {error.why ? <Text size="sm">{error.why}</Text> : null}
          </Stack>
        ) : null}
        {preview ? (
          <Stack gap="xs" role="region" aria-label="Cleanup preview">
            <Text size="sm" fw={600}>
              {preview.rule}
            </Text>
            {count === 0 ? (
              <Text size="sm">No session matches this rule now: nothing to terminate.</Text>
            ) : (
              <>
                <Text size="sm">These {count} sessions would be terminated (each is checked again just before):</Text>
                <MatchTable label="Sessions to terminate" rows={preview.matched} why={false} />
              </>
            )}
            {preview.excluded.length > 0 ? (
              <>
                <Text size="sm">Matched but kept:</Text>
                <MatchTable label="Sessions kept" rows={preview.excluded} why />
              </>
            ) : null}
            {count > 0 && production ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
            {count > 0 ? (
              <Group justify="flex-end">
                <Button color="red" onClick={() => void runCleanup()} loading={busy === 'run'} disabled={production && typed !== profile.name}>
                  Terminate {count} {count === 1 ? 'session' : 'sessions'}
                </Button>
              </Group>
            ) : null}
          </Stack>
        ) : null}
        {result ? <ResultView result={result} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
