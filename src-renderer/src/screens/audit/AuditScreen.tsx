// The audit trail: every action this app took, newest first, filterable, verifiable and
// exportable. Refreshes itself when the core appends an entry. With a team store connected
// (issue #22) the scope switch searches and verifies the whole team's trail instead.
import { Alert, Button, Center, Group, Loader, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry, AuditQuery, AuditVerifyResult } from '@contract/models';
import type { TeamAuditEntry, TeamVerifyResult } from '@contract/team';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert, IconCheck } from '../../shared/components/icons';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { downloadText } from '../../shared/dom';
import { EMPTY_FILTERS, filtersToQuery, PAGE_SIZE, type AuditFilters } from './audit-tools';
import { AuditDetailDrawer } from './AuditDetailDrawer';
import { AuditFiltersBar } from './AuditFiltersBar';
import { AuditTable } from './AuditTable';
import { TeamVerifyAlert } from './TeamVerifyAlert';

type Scope = 'local' | 'team';
type ShownEntry = AuditEntry & Partial<Pick<TeamAuditEntry, 'workstation' | 'workstationId'>>;

function newestFirst(entries: ShownEntry[]): ShownEntry[] {
  return [...entries].sort((a, b) => b.id - a.id);
}

/** Newer versions of the same entry (pending → ok) replace older ones. */
function merge(current: ShownEntry[], incoming: ShownEntry[]): ShownEntry[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of incoming) byId.set(e.id, e);
  return newestFirst([...byId.values()]);
}

export function AuditScreen() {
  const [draft, setDraft] = useState<AuditFilters>(EMPTY_FILTERS);
  const [filterErrors, setFilterErrors] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const [query, setQuery] = useState<AuditQuery>({});
  const [entries, setEntries] = useState<ShownEntry[]>([]);
  const [scope, setScope] = useState<Scope>('local');
  const [teamConnected, setTeamConnected] = useState(false);
  const [teamVerify, setTeamVerify] = useState<TeamVerifyResult | null>(null);
  /** The team search pages by a growing limit: ids are per workstation, so beforeId cannot page across the team. */
  const [teamLimit, setTeamLimit] = useState(PAGE_SIZE);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ShownError | null>(null);
  const [open, setOpen] = useState<ShownEntry | null>(null);
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [busy, setBusy] = useState<null | 'verify' | 'csv' | 'json' | 'more'>(null);
  const queryRef = useRef(query);
  queryRef.current = query;
  const scopeRef = useRef(scope);
  scopeRef.current = scope;

  useEffect(() => {
    api
      .teamStatus({})
      .then((s) => setTeamConnected(s.connected))
      .catch(() => setTeamConnected(false));
  }, []);

  const loadFirstPage = useCallback(async (q: AuditQuery, replace: boolean, where: Scope = 'local', limit = PAGE_SIZE) => {
    try {
      if (where === 'team') {
        const { entries: page } = await api.searchTeamAudit({ ...q, limit });
        if (q !== queryRef.current || scopeRef.current !== 'team') return;
        // Newest first as the team store ordered them (by time across workstations).
        setEntries(page);
        setHasMore(page.length === limit && limit < 10_000);
        setError(null);
        return;
      }
      const { entries: page } = await api.searchAudit({ ...q, limit: PAGE_SIZE });
      // A live refresh may answer after the filters changed; drop a stale page.
      if (q !== queryRef.current || scopeRef.current !== 'local') return;
      setEntries((cur) => (replace ? newestFirst(page) : merge(cur, page)));
      if (replace) setHasMore(page.length === PAGE_SIZE);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    void loadFirstPage(query, true, scope, teamLimit);
  }, [query, scope, teamLimit, loadFirstPage]);

  useEffect(() => {
    return api.onEvent((event) => {
      // The team's trail changes by uploads, not local appends: it refreshes when asked.
      if (event.type === 'audit.appended' && scopeRef.current === 'local') void loadFirstPage(queryRef.current, false);
    });
  }, [loadFirstPage]);

  function apply() {
    const { query: next, errors } = filtersToQuery(draft);
    setFilterErrors(errors);
    if (Object.keys(errors).length === 0) setQuery(next);
  }

  async function loadMore() {
    if (scope === 'team') {
      setTeamLimit((n) => Math.min(10_000, n + PAGE_SIZE));
      return;
    }
    const oldest = entries[entries.length - 1];
    if (!oldest) return;
    setBusy('more');
    try {
      const { entries: page } = await api.searchAudit({ ...query, limit: PAGE_SIZE, beforeId: oldest.id });
      setEntries((cur) => merge(cur, page));
      setHasMore(page.length === PAGE_SIZE);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }

  async function runVerify() {
    setBusy('verify');
    setVerify(null);
    setTeamVerify(null);
    try {
      if (scope === 'team') setTeamVerify(await api.teamVerifyAudit({}));
      else setVerify(await api.verifyAudit({}));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }

  async function exportAs(format: 'csv' | 'json') {
    setBusy(format);
    try {
      const result = await api.exportAudit({ format, query: { ...query, limit: 10_000 } });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      downloadText(result.content, `ops-console-audit-${stamp}.${format}`, format === 'csv' ? 'text/csv' : 'application/json');
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Audit trail</Title>
          <Text size="sm" c="dimmed">
            Every action, recorded before it runs and completed after. Click a row for the full entry.
          </Text>
        </div>
        <Group gap="xs">
          <Button variant="default" onClick={() => void runVerify()} loading={busy === 'verify'}>
            Verify integrity
          </Button>
          {scope === 'local' ? (
            <>
              <Button variant="default" onClick={() => void exportAs('csv')} loading={busy === 'csv'}>
                Export CSV
              </Button>
              <Button variant="default" onClick={() => void exportAs('json')} loading={busy === 'json'}>
                Export JSON
              </Button>
            </>
          ) : null}
        </Group>
      </Group>

      {teamConnected ? (
        <SegmentedControl
          aria-label="Audit scope"
          w="fit-content"
          value={scope}
          onChange={(v) => {
            setScope(v as Scope);
            setEntries([]);
            setVerify(null);
            setTeamVerify(null);
            setTeamLimit(PAGE_SIZE);
          }}
          data={[
            { value: 'local', label: 'This workstation' },
            { value: 'team', label: 'Team' },
          ]}
        />
      ) : null}
      {teamVerify ? <TeamVerifyAlert result={teamVerify} onClose={() => setTeamVerify(null)} /> : null}

      {verify ? (
        verify.ok ? (
          <Alert
            color="teal"
            variant="light"
            icon={<IconCheck />}
            title="Audit trail intact"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setVerify(null)}
          >
            All {verify.entries} entries check out: none was altered, removed or reordered.
          </Alert>
        ) : (
          <Alert
            color="red"
            variant="filled"
            icon={<IconAlert />}
            title="Audit trail has been tampered with"
            role="alert"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setVerify(null)}
          >
            First bad entry: #{verify.firstBadId ?? '?'} — {verify.problem ?? 'unknown problem'} ({verify.entries} entries checked).
          </Alert>
        )
      ) : null}

      <AuditFiltersBar
        value={draft}
        onChange={setDraft}
        onApply={apply}
        onReset={() => {
          setDraft(EMPTY_FILTERS);
          setFilterErrors({});
          setQuery({});
        }}
        errors={filterErrors}
      />
      {error ? <ErrorAlert title="The audit trail could not be read" error={error} onClose={() => setError(null)} /> : null}

      <Paper withBorder>
        {loading ? (
          <Center h={160}>
            <Loader aria-label="Loading audit entries" />
          </Center>
        ) : entries.length === 0 ? (
          <Center h={160}>
            <Text c="dimmed" size="sm">
              {Object.keys(query).length > 0
                ? 'No entries match these filters.'
                : scope === 'team'
                  ? 'The team store holds no entries yet: they arrive as each workstation syncs (ops-console team sync).'
                  : 'No entries yet. Every action you take here is recorded.'}
            </Text>
          </Center>
        ) : (
          <AuditTable entries={entries} onOpen={setOpen} showWorkstation={scope === 'team'} />
        )}
      </Paper>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {entries.length} entr{entries.length === 1 ? 'y' : 'ies'} shown
        </Text>
        {hasMore ? (
          <Button variant="default" onClick={() => void loadMore()} loading={busy === 'more'}>
            Load more
          </Button>
        ) : null}
      </Group>
      <AuditDetailDrawer entry={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
