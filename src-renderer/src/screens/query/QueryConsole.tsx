// One profile's console: editor tabs (CodeMirror, catalog autocomplete) above, streamed
// results in a virtualized grid below, a splitter between them, EXPLAIN as a tree and as
// text, history and the runbook's snippets. It fills the height it is given and never makes
// the page scroll: the editor, the grid and the panels scroll inside themselves. Every guard
// is the core's; this screen shows the previews.
import { Alert, Button, Group, Select, Text, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Profile } from '@contract/models';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert } from '../../shared/components/icons';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { ConsolePanels, type Panel } from './ConsolePanels';
import { EditorTabs } from './EditorTabs';
import { ElapsedTime } from './ElapsedTime';
import { ExportMenu } from './ExportMenu';
import { BlockedModal, ConfirmWriteModal, ElevateModal, PasswordModal } from './GuardModals';
import { editorPx } from './layout-model';
import { useHeight } from './useHeight';
import { DEFAULT_IDLE_CLOSE_MINUTES, DEFAULT_MAX_ROWS, errorRange, MAX_ROWS_CHOICES, type EditorRange, type RunTarget } from './query-tools';
import { SqlEditor, type SqlEditorHandle } from './SqlEditor';
import { Splitter, SPLITTER_PX } from './Splitter';
import { scriptTarget, statementTarget } from './statement-split';
import { useCatalog } from './useCatalog';
import { useEditorTabs } from './useEditorTabs';
import { useExplain } from './useExplain';
import { useOpenTransactionWarning } from './useOpenTransactionWarning';
import { useQueryRunner, type ParseFailure, type RunOutcome } from './useQueryRunner';

function initialMaxRows(): string {
  const saved = readSetting('query.max-rows');
  return MAX_ROWS_CHOICES.find((c) => c === saved) ?? DEFAULT_MAX_ROWS;
}

/** SQL another screen sent to this console: opened in a new tab once the tabs are read. */
export interface OpenRequest {
  sql: string;
  title?: string;
}

export interface QueryConsoleProps {
  profile: Profile;
  /** The console on screen; the others stay mounted (their sessions, results and drafts live on) but hidden. */
  visible: boolean;
  editorShare: number;
  onEditorShare: (share: number) => void;
  /** The row above the editor tabs (the consoles' strip), shown at its left. */
  header: ReactNode;
  request: OpenRequest | null;
  onRequestTaken: () => void;
  /** What the strip shows on this console's tab (and asks about before closing it). */
  onStatus: (profileId: string, status: ConsoleStatus) => void;
}

export interface ConsoleStatus {
  running: boolean;
  transactionOpen: boolean;
}

export function QueryConsole({ profile, visible, editorShare, onEditorShare, header, request, onRequestTaken, onStatus }: QueryConsoleProps) {
  const tabs = useEditorTabs(profile.id);
  const editorRef = useRef<SqlEditorHandle>(null);
  const [maxRows, setMaxRowsState] = useState(initialMaxRows);
  const [errorAt, setErrorAt] = useState<EditorRange | null>(null);
  const [panel, setPanel] = useState<Panel>('results');
  const [historyKey, setHistoryKey] = useState(0);
  const catalog = useCatalog(profile.id);
  // The editor text a run was taken from, so a server position maps back onto the editor.
  const runText = useRef('');
  // The room below the toolbars, shared by the editor, the splitter and the results.
  const panesRef = useRef<HTMLDivElement>(null);
  const paneHeight = useHeight(panesRef, 480);

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
  const transactionOpen = runner.outcome?.result.transactionOpen === true;
  useOpenTransactionWarning(profile, transactionOpen);
  // A console out of sight with a statement running or a transaction holding locks says so on its tab.
  useEffect(() => onStatus(profile.id, { running, transactionOpen }), [onStatus, profile.id, running, transactionOpen]);

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
  // SQL sent from another screen opens in its own tab, not run.
  const { ready: tabsReady, newTab } = tabs;
  const [tabsFull, setTabsFull] = useState<string | null>(null);
  // Each request opens one tab, even if the effect runs again before the parent lets go of it.
  const handled = useRef<OpenRequest | null>(null);
  useEffect(() => {
    if (!tabsReady || !request || handled.current === request) return;
    handled.current = request;
    onRequestTaken();
    // Every tab slot taken: say so rather than drop the SQL or overwrite someone's tab.
    if (newTab(request.sql, request.title) === null) setTabsFull(request.title ?? 'The SQL sent here');
    else setErrorAt(null);
  }, [tabsReady, request, onRequestTaken, newTab]);
  const openAndRun = useCallback(
    (sql: string) => {
      openSql(sql);
      runFrom({ sql, offset: 0, fromSelection: false }, sql);
    },
    [openSql, runFrom],
  );

  // Esc cancels wherever the focus is, as long as no dialog is claiming it; F7 explains.
  // Only the console on screen listens: a hidden one must not cancel or explain.
  useEffect(() => {
    if (!visible) return undefined;
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
  }, [visible, running, cancel, explainStatement]);

  const exportSql = () => fromEditor(statementTarget)?.target.sql ?? '';
  const editorHeight = editorPx(editorShare, paneHeight - SPLITTER_PX);
  const status = runner.cancelling
    ? 'Cancelling on the server…'
    : runner.fetchingMore
      ? 'Fetching more rows… (Esc or Cancel stops it on the server)'
      : 'Running… (Esc or Cancel stops it on the server)';
  return (
    <div
      aria-hidden={!visible || undefined}
      style={{ display: visible ? 'flex' : 'none', flexDirection: 'column', gap: 6, height: '100%', minHeight: 0 }}
      data-console-profile={profile.id}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs" style={{ flex: 'none' }}>
        <div style={{ flex: 1, minWidth: 0 }}>{header}</div>
        <Group gap={6} wrap="nowrap">
          <Select
            aria-label="Rows kept per fetch"
            title="Rows kept per fetch"
            size="xs"
            data={MAX_ROWS_CHOICES.map((value) => ({ value, label: `${Number(value).toLocaleString('en-US')} rows` }))}
            value={maxRows}
            onChange={(v) => v && setMaxRows(v)}
            w={142}
            allowDeselect={false}
            disabled={running}
          />
          <Tooltip label="Refresh the tables, columns and functions offered by autocomplete">
            <Button variant="default" size="xs" onClick={catalog.refresh} loading={catalog.loading}>
              Refresh catalog
            </Button>
          </Tooltip>
          <ExportMenu profile={profile} getSql={exportSql} disabled={running} />
        </Group>
      </Group>

      <Group justify="space-between" wrap="nowrap" gap="xs" style={{ flex: 'none' }}>
        <div style={{ flex: 1, minWidth: 0 }}>
          <EditorTabs
            tabs={tabs.tabs}
            activeId={tabs.activeId}
            disabled={!tabs.ready || !visible}
            onSelect={(id) => {
              setErrorAt(null);
              tabs.switchTab(id);
            }}
            onNew={() => tabs.newTab()}
            onClose={tabs.closeTab}
            onRename={tabs.renameTab}
          />
        </div>
        <Group gap={6} wrap="nowrap">
          {running ? (
            <Group gap={6} wrap="nowrap" role="status" aria-label={status} title={status}>
              <ElapsedTime since={runner.startedAt ?? performance.now()} />
              <Button size="xs" color="orange" onClick={() => void cancel()} loading={runner.cancelling} aria-keyshortcuts="Escape">
                Cancel
              </Button>
            </Group>
          ) : null}
          <Button variant="default" size="xs" onClick={() => explainStatement(false)} loading={explain.busy} disabled={running} aria-keyshortcuts="F7">
            Explain
          </Button>
          <Button variant="default" size="xs" onClick={() => explainStatement(true)} disabled={running || explain.busy} aria-keyshortcuts="Shift+F7">
            Explain analyze
          </Button>
          <Button variant="default" size="xs" onClick={runScript} disabled={running} aria-keyshortcuts="Shift+Control+Enter Shift+Meta+Enter">
            Run script
          </Button>
          <Button size="xs" onClick={runStatement} loading={running} aria-keyshortcuts="Control+Enter Meta+Enter">
            Run
          </Button>
        </Group>
      </Group>

      <div ref={panesRef} style={{ flex: '1 1 0', minHeight: 0, display: 'flex', flexDirection: 'column', gap: 6 }}>
        <div style={{ height: editorHeight, flex: 'none', minHeight: 0 }}>
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
            fill
          />
        </div>
        <Splitter share={editorShare} total={paneHeight - SPLITTER_PX} onChange={onEditorShare} />

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
            style={{ flex: 'none' }}
          >
            "{tabsFull}" was not opened: every editor tab is in use. Close a tab (Alt+W), then open it again.
          </Alert>
        ) : null}
        {runner.outcome?.result.transactionOpen ? (
          <Alert color="yellow" variant="filled" icon={<IconAlert />} title="Transaction open" role="alert" py={6} style={{ flex: 'none' }}>
            <Text size="sm">
              A transaction is still open on this console&apos;s session: its locks stay held and the session shows as &quot;idle in transaction&quot; until you
              run COMMIT or ROLLBACK (after {DEFAULT_IDLE_CLOSE_MINUTES} idle minutes the console closes the session and the server rolls it back).
            </Text>
          </Alert>
        ) : null}
        {runner.error ? <ErrorAlert title="The query did not run" error={runner.error} onClose={runner.clearError} /> : null}

        <ConsolePanels
          panel={panel}
          onPanel={setPanel}
          profileId={profile.id}
          runner={runner}
          explain={explain}
          errorAt={errorAt}
          maxRows={Number(maxRows)}
          historyKey={historyKey}
          currentSql={tabs.active.sql}
          onOpenSql={openSql}
          onOpenAndRun={openAndRun}
        />

        {runner.guard?.kind === 'blocked' ? <BlockedModal items={runner.guard.items} onCancel={runner.dismissGuard} onOverride={runner.override} /> : null}
        {runner.guard?.kind === 'confirm' ? (
          <ConfirmWriteModal profile={profile} statements={runner.guard.statements} onCancel={runner.dismissGuard} onConfirm={runner.confirm} />
        ) : null}
        {runner.guard?.kind === 'password' ? <PasswordModal profile={profile} onCancel={runner.dismissGuard} onSubmit={runner.withPassword} /> : null}
        {runner.guard?.kind === 'elevate' ? (
          <ElevateModal
            profile={profile}
            refusal={runner.guard.refusal}
            statement={runner.guard.statement}
            onCancel={runner.dismissGuard}
            onElevated={runner.elevated}
          />
        ) : null}
        {explain.guard?.kind === 'confirm' ? (
          <ConfirmWriteModal profile={profile} statements={explain.guard.statements} onCancel={explain.dismissGuard} onConfirm={explain.confirm} />
        ) : null}
        {explain.guard?.kind === 'password' ? <PasswordModal profile={profile} onCancel={explain.dismissGuard} onSubmit={explain.withPassword} /> : null}
      </div>
    </div>
  );
}
