// The query console for the active profile: editor tabs (CodeMirror, catalog
// autocomplete), streamed results in a virtualized grid, EXPLAIN as a tree, history and
// the runbook's snippets. Every guard is the core's; this screen shows the previews.
import { Alert, Badge, Button, Group, Kbd, Paper, Select, Stack, Tabs, Text, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Profile } from '@contract/models';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert, IconLock } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { EditorTabs } from './EditorTabs';
import { ExportMenu } from './ExportMenu';
import { BlockedModal, ConfirmWriteModal, PasswordModal } from './GuardModals';
import { HistoryPanel } from './HistoryPanel';
import { resultViews } from './live-results';
import { PlanView } from './PlanView';
import { DEFAULT_IDLE_CLOSE_MINUTES, DEFAULT_MAX_ROWS, errorRange, EXAMPLES, MAX_ROWS_CHOICES, type EditorRange, type RunTarget } from './query-tools';
import { QueryErrorAlert, ResultsPanel } from './ResultsPanel';
import { SnippetsPanel } from './SnippetsPanel';
import { SqlEditor, type SqlEditorHandle } from './SqlEditor';
import { scriptTarget, statementTarget } from './statement-split';
import { useCatalog } from './useCatalog';
import { useEditorTabs } from './useEditorTabs';
import { useExplain } from './useExplain';
import { useOpenTransactionWarning } from './useOpenTransactionWarning';
import { useQueryRunner, type ParseFailure, type RunOutcome } from './useQueryRunner';

type Panel = 'results' | 'plan' | 'history' | 'snippets';

function initialMaxRows(): string {
  const saved = readSetting('query.max-rows');
  return MAX_ROWS_CHOICES.find((c) => c === saved) ?? DEFAULT_MAX_ROWS;
}

function EmptyState({ onExample }: { onExample: (sql: string) => void }) {
  return (
    <Paper component="section" withBorder p="md" aria-label="Getting started">
      <Text fw={600} mb={4}>
        Type SQL above and press <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> (<Kbd size="xs">⌘</Kbd> + <Kbd size="xs">Enter</Kbd> on a Mac) to run
        the statement under the cursor.
      </Text>
      <Text size="sm" c="dimmed" mb="sm">
        With text selected, only the selection runs; <Kbd size="xs">Shift</Kbd> + <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> runs the whole script,
        one result tab per statement. <Kbd size="xs">Esc</Kbd> cancels a running statement on the server. <Kbd size="xs">F7</Kbd> shows the plan,{' '}
        <Kbd size="xs">Shift</Kbd> + <Kbd size="xs">F7</Kbd> runs EXPLAIN ANALYZE (rolled back).
      </Text>
      <Text size="sm" fw={600} mb="xs">
        Or run one of the runbook's checks (more under Snippets):
      </Text>
      <Group gap="xs">
        {EXAMPLES.map((ex) => (
          <Button key={ex.label} variant="light" size="xs" onClick={() => onExample(ex.sql)} title={ex.sql}>
            {ex.label}
          </Button>
        ))}
      </Group>
    </Paper>
  );
}

function QueryConsole({ profile }: { profile: Profile }) {
  const tabs = useEditorTabs(profile.id);
  const editorRef = useRef<SqlEditorHandle>(null);
  const [maxRows, setMaxRowsState] = useState(initialMaxRows);
  const [errorAt, setErrorAt] = useState<EditorRange | null>(null);
  const [panel, setPanel] = useState<Panel>('results');
  const [historyKey, setHistoryKey] = useState(0);
  const catalog = useCatalog(profile.id);
  // The editor text a run was taken from, so a server position maps back onto the editor.
  const runText = useRef('');

  const setMaxRows = useCallback((value: string) => {
    setMaxRowsState(value);
    writeSetting('query.max-rows', value);
  }, []);

  // Point at where PostgreSQL stopped: the editor selects and underlines that token.
  const pointAt = useCallback((target: RunTarget, position: number | undefined) => {
    setErrorAt(position === undefined ? null : errorRange(runText.current, target, position));
  }, []);
  const onResult = useCallback(
    (outcome: RunOutcome) => {
      setHistoryKey((k) => k + 1);
      pointAt(outcome.target, outcome.result.statements.find((s) => s.error?.position !== undefined && !s.cancelled)?.error?.position);
    },
    [pointAt],
  );
  const onParseFailure = useCallback((parse: ParseFailure) => pointAt(parse.target, parse.failure.position), [pointAt]);

  const runner = useQueryRunner(profile, Number(maxRows), onResult, onParseFailure);
  const { run, cancel, running, forgetHeld } = runner;
  const explain = useExplain(profile, pointAt);
  useOpenTransactionWarning(profile, runner.outcome?.result.transactionOpen === true);

  const runFrom = useCallback(
    (target: RunTarget, text: string) => {
      if (target.sql.trim() === '') return;
      runText.current = text;
      setErrorAt(null);
      setPanel('results');
      void run(target);
    },
    [run],
  );
  const fromEditor = useCallback((pick: typeof statementTarget): { target: RunTarget; text: string } | null => {
    const editor = editorRef.current;
    if (!editor) return null;
    editor.closeCompletion();
    const text = editor.getText();
    const { from, to } = editor.getSelection();
    return { target: pick(text, from, to), text };
  }, []);
  const runStatement = useCallback(() => {
    const picked = fromEditor(statementTarget);
    if (picked) runFrom(picked.target, picked.text);
  }, [fromEditor, runFrom]);
  const runScript = useCallback(() => {
    const picked = fromEditor(scriptTarget);
    if (picked) runFrom(picked.target, picked.text);
  }, [fromEditor, runFrom]);
  const explainStatement = useCallback(
    (analyze: boolean) => {
      const picked = fromEditor(statementTarget);
      if (!picked || picked.target.sql.trim() === '' || running) return;
      runText.current = picked.text;
      setErrorAt(null);
      setPanel('plan');
      // The core closes a result kept for Fetch more before anything else runs.
      forgetHeld();
      void explain.explain(picked.target, analyze);
    },
    [fromEditor, explain, running, forgetHeld],
  );
  /** History, snippets and examples open their SQL in the editor (a new tab unless this one is empty). */
  const openSql = useCallback(
    (sql: string) => {
      if (tabs.active.sql.trim() === '') tabs.setSql(sql);
      else tabs.newTab(sql);
      setErrorAt(null);
    },
    [tabs],
  );
  // SQL sent from another screen (a saved runbook's step) opens in its own tab, not run.
  const { queryRequest, takeQueryRequest } = useAppState();
  const { ready: tabsReady, newTab } = tabs;
  const [tabsFull, setTabsFull] = useState<string | null>(null);
  useEffect(() => {
    if (!tabsReady || !queryRequest) return;
    const request = takeQueryRequest();
    // Every tab slot taken: say so rather than drop the SQL or overwrite someone's tab.
    if (request && newTab(request.sql, request.title) === null) setTabsFull(request.title);
  }, [tabsReady, queryRequest, takeQueryRequest, newTab]);
  const openAndRun = useCallback(
    (sql: string) => {
      openSql(sql);
      runFrom({ sql, offset: 0, fromSelection: false }, sql);
    },
    [openSql, runFrom],
  );

  // Esc cancels wherever the focus is, as long as no dialog is claiming it; F7 explains.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape' && running && !document.querySelector('[role="dialog"]')) {
        event.preventDefault();
        void cancel();
      } else if (event.key === 'F7' && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        explainStatement(event.shiftKey);
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [running, cancel, explainStatement]);

  const views = resultViews(runner.live, runner.outcome?.result.statements ?? null, running);
  const exportSql = () => fromEditor(statementTarget)?.target.sql ?? '';
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Query</Title>
          <Group gap="xs" mt={4}>
            <Text size="sm" c="dimmed">
              Runs on
            </Text>
            <Text size="sm" fw={600}>
              {profile.name}
            </Text>
            <Text size="sm" c="dimmed" ff="monospace">
              {profile.user}@{profile.host}:{profile.port}/{profile.database}
            </Text>
            <EnvBadge env={profile.env} />
            {profile.readOnly ? (
              <Badge color="gray" variant="outline" radius="sm" leftSection={<IconLock size={12} />}>
                read-only: writes are refused by the server
              </Badge>
            ) : null}
          </Group>
        </div>
        <Group gap="xs" align="flex-end">
          <Select
            label="Rows kept"
            description="per fetch"
            data={MAX_ROWS_CHOICES.map((value) => ({ value, label: Number(value).toLocaleString('en-US') }))}
            value={maxRows}
            onChange={(v) => v && setMaxRows(v)}
            w={130}
            allowDeselect={false}
            disabled={running}
          />
          <Tooltip label="Refresh the tables, columns and functions offered by autocomplete">
            <Button variant="default" onClick={catalog.refresh} loading={catalog.loading}>
              Refresh catalog
            </Button>
          </Tooltip>
          <ExportMenu profile={profile} getSql={exportSql} disabled={running} />
          <Button variant="default" onClick={() => explainStatement(false)} loading={explain.busy} disabled={running} aria-keyshortcuts="F7">
            Explain
          </Button>
          <Button variant="default" onClick={() => explainStatement(true)} disabled={running || explain.busy} aria-keyshortcuts="Shift+F7">
            Explain analyze
          </Button>
          {running ? (
            <Button color="orange" onClick={() => void cancel()} loading={runner.cancelling} aria-keyshortcuts="Escape">
              Cancel
            </Button>
          ) : null}
          <Button variant="default" onClick={runScript} disabled={running} aria-keyshortcuts="Shift+Control+Enter Shift+Meta+Enter">
            Run script
          </Button>
          <Button onClick={runStatement} loading={running} aria-keyshortcuts="Control+Enter Meta+Enter">
            Run
          </Button>
        </Group>
      </Group>

      <EditorTabs
        tabs={tabs.tabs}
        activeId={tabs.activeId}
        disabled={!tabs.ready}
        onSelect={(id) => {
          setErrorAt(null);
          tabs.switchTab(id);
        }}
        onNew={() => tabs.newTab()}
        onClose={tabs.closeTab}
        onRename={tabs.renameTab}
      />
      <SqlEditor
        ref={editorRef}
        docId={tabs.activeId}
        value={tabs.active.sql}
        onChange={tabs.setSql}
        readOnly={!tabs.ready}
        catalog={catalog.catalog}
        errorAt={errorAt}
        onRun={(target) => runFrom(target, editorRef.current?.getText() ?? target.sql)}
        onRunScript={(target) => runFrom(target, editorRef.current?.getText() ?? target.sql)}
        placeholder="SELECT … ;"
      />
      {tabs.error ? (
        <ErrorAlert
          title="Editor tabs could not be read or saved (the editor stays read-only until they are read)"
          error={{ code: 'INTERNAL', message: String(tabs.error instanceof Error ? tabs.error.message : tabs.error) }}
        />
      ) : null}
      {catalog.error ? <ErrorAlert title="Autocomplete has no catalog" error={catalog.error} /> : null}
      {tabsFull ? (
        <Alert
          color="yellow"
          variant="light"
          title="No room for another editor tab"
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setTabsFull(null)}
        >
          "{tabsFull}" was not opened: every editor tab is in use. Close a tab (Alt+W), then open the step again.
        </Alert>
      ) : null}

      {runner.outcome?.result.transactionOpen ? (
        <Alert color="yellow" variant="filled" icon={<IconAlert />} title="Transaction open" role="alert">
          A transaction is still open on this console's session: its locks stay held and the session shows as "idle in transaction" until you run COMMIT or
          ROLLBACK (after {DEFAULT_IDLE_CLOSE_MINUTES} idle minutes the console closes the session and the server rolls it back).
        </Alert>
      ) : null}
      {runner.error ? <ErrorAlert title="The query did not run" error={runner.error} onClose={runner.clearError} /> : null}
      {running ? (
        <Text size="sm" c="dimmed" role="status">
          {runner.cancelling
            ? 'Cancelling on the server…'
            : runner.fetchingMore
              ? 'Fetching more rows… (Esc or Cancel stops it on the server)'
              : 'Running… (Esc or Cancel stops it on the server)'}
        </Text>
      ) : null}

      <Tabs value={panel} onChange={(v) => v && setPanel(v as Panel)} keepMounted={false}>
        <Tabs.List aria-label="Console panels">
          <Tabs.Tab value="results">Results</Tabs.Tab>
          <Tabs.Tab value="plan">Plan</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="snippets">Snippets</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="results" pt="sm">
          {runner.parseFailure ? (
            <Stack gap={4}>
              <QueryErrorAlert error={runner.parseFailure.failure} at={errorAt} />
              <Text size="sm" c="dimmed">
                Nothing was sent to the server: the script did not parse.
              </Text>
            </Stack>
          ) : views.length > 0 ? (
            <ResultsPanel
              views={views}
              errorAt={errorAt}
              more={{
                limit: Number(maxRows),
                fetching: runner.fetchingMore,
                onFetchMore: () => void runner.fetchMore(),
                onClose: () => void runner.closeResult(),
              }}
            />
          ) : runner.outcome ? (
            <Text size="sm" c="dimmed">
              The script held no statement.
            </Text>
          ) : !running ? (
            <EmptyState onExample={openAndRun} />
          ) : null}
        </Tabs.Panel>
        <Tabs.Panel value="plan" pt="sm">
          {explain.error ? <ErrorAlert title="No plan" error={explain.error} onClose={explain.clearError} /> : null}
          {explain.failure ? <QueryErrorAlert error={explain.failure.failure} at={errorAt} /> : null}
          {explain.busy ? (
            <Text size="sm" c="dimmed" role="status">
              Explaining…
            </Text>
          ) : null}
          {explain.result && !explain.busy ? <PlanView result={explain.result} /> : null}
          {!explain.result && !explain.failure && !explain.busy ? (
            <Text size="sm" c="dimmed">
              Put the cursor in a statement and press F7 (Explain: the planner's estimate, nothing runs) or Shift+F7 (Explain analyze: it runs inside a
              transaction that is rolled back, with real times and rows).
            </Text>
          ) : null}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          <HistoryPanel profileId={profile.id} onOpen={openSql} onRun={openAndRun} refreshKey={historyKey} />
        </Tabs.Panel>
        <Tabs.Panel value="snippets" pt="sm">
          <SnippetsPanel onInsert={openSql} currentSql={tabs.active.sql} />
        </Tabs.Panel>
      </Tabs>

      {runner.guard?.kind === 'blocked' ? <BlockedModal items={runner.guard.items} onCancel={runner.dismissGuard} onOverride={runner.override} /> : null}
      {runner.guard?.kind === 'confirm' ? (
        <ConfirmWriteModal profile={profile} statements={runner.guard.statements} onCancel={runner.dismissGuard} onConfirm={runner.confirm} />
      ) : null}
      {runner.guard?.kind === 'password' ? <PasswordModal profile={profile} onCancel={runner.dismissGuard} onSubmit={runner.withPassword} /> : null}
      {explain.guard?.kind === 'confirm' ? (
        <ConfirmWriteModal profile={profile} statements={explain.guard.statements} onCancel={explain.dismissGuard} onConfirm={explain.confirm} />
      ) : null}
      {explain.guard?.kind === 'password' ? <PasswordModal profile={profile} onCancel={explain.dismissGuard} onSubmit={explain.withPassword} /> : null}
    </Stack>
  );
}

export function QueryScreen() {
  const { active, profiles, setScreen } = useAppState();
  if (!active) {
    return (
      <Stack gap="md">
        <Title order={2}>Query</Title>
        <Paper component="section" withBorder p="md" aria-label="Getting started">
          <Text fw={600} mb={4}>
            Pick a profile first
          </Text>
          <Text size="sm" c="dimmed" mb="sm">
            {profiles.length > 0
              ? 'Choose the database to query with the profile switcher at the top; the coloured band shows which environment you are on.'
              : 'No connection profile exists yet: add one (or start the demo sandbox) on the Profiles screen.'}
          </Text>
          <Button variant="light" onClick={() => setScreen('profiles')}>
            Open Profiles
          </Button>
        </Paper>
      </Stack>
    );
  }
  // Keyed by profile: switching profiles starts from that profile's own tabs and results.
  return <QueryConsole key={active.id} profile={active} />;
}
