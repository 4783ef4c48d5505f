// The query console for the active profile (issue #4, first increment). The editor is a
// monospace textarea for now; CodeMirror 6 (PostgreSQL highlighting, catalog autocomplete,
// statement under the cursor) and a virtualized, streaming result grid come next.
import { Alert, Badge, Button, Group, Kbd, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Profile } from '../../../../src-main/contract/models';
import { EnvBadge } from '../../components/EnvBadge';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IconAlert, IconLock } from '../../components/icons';
import { useAppState } from '../../state/app-state';
import { readSetting, writeSetting } from '../../state/storage';
import { BlockedModal, ConfirmWriteModal, PasswordModal } from './GuardModals';
import { errorRange, EXAMPLES, loadScript, MAX_ROWS_CHOICES, runTarget, saveScript, type EditorRange, type RunTarget } from './query-tools';
import { QueryErrorAlert, ResultsPanel } from './ResultsPanel';
import { useQueryRunner, type ParseFailure, type RunOutcome } from './useQueryRunner';

function initialMaxRows(): string {
  const saved = readSetting('query.max-rows');
  return MAX_ROWS_CHOICES.find((c) => c === saved) ?? '1000';
}

function EmptyState({ onExample }: { onExample: (sql: string) => void }) {
  return (
    <Paper component="section" withBorder p="md" aria-label="Getting started">
      <Text fw={600} mb={4}>Type SQL above and press <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> (<Kbd size="xs">⌘</Kbd> + <Kbd size="xs">Enter</Kbd> on a Mac) to run it.</Text>
      <Text size="sm" c="dimmed" mb="sm">
        With text selected, only the selection runs. Several statements give one result tab each. <Kbd size="xs">Esc</Kbd> cancels a running statement on the server.
      </Text>
      <Text size="sm" fw={600} mb="xs">Or run one of the runbook's checks:</Text>
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
  const [sql, setSql] = useState(() => loadScript(profile.id));
  const [maxRows, setMaxRowsState] = useState(initialMaxRows);
  const [errorAt, setErrorAt] = useState<EditorRange | null>(null);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const sqlRef = useRef(sql);
  sqlRef.current = sql;

  const setMaxRows = useCallback((value: string) => {
    setMaxRowsState(value);
    writeSetting('query.max-rows', value);
  }, []);

  // Point at where PostgreSQL stopped: select that token in the editor.
  const pointAt = useCallback((target: RunTarget, position: number | undefined) => {
    if (position === undefined) {
      setErrorAt(null);
      return;
    }
    const range = errorRange(sqlRef.current, target, position);
    setErrorAt(range);
    const editor = editorRef.current;
    if (editor) {
      editor.focus();
      editor.setSelectionRange(range.start, range.end);
    }
  }, []);
  const onResult = useCallback(
    (outcome: RunOutcome) => pointAt(outcome.target, outcome.result.statements.find((s) => s.error?.position !== undefined && !s.cancelled)?.error?.position),
    [pointAt],
  );
  const onParseFailure = useCallback((parse: ParseFailure) => pointAt(parse.target, parse.failure.position), [pointAt]);

  const runner = useQueryRunner(profile, Number(maxRows), onResult, onParseFailure);
  const { run, cancel, running } = runner;

  const runFromEditor = useCallback(() => {
    const editor = editorRef.current;
    const target: RunTarget = editor ? runTarget(editor.value, editor.selectionStart, editor.selectionEnd) : runTarget(sqlRef.current, 0, 0);
    setErrorAt(null);
    void run(target);
  }, [run]);

  function runExample(example: string) {
    setSql(example);
    saveScript(profile.id, example);
    setErrorAt(null);
    void run({ sql: example, offset: 0, fromSelection: false });
  }

  // Esc cancels wherever the focus is, as long as no dialog is claiming it.
  useEffect(() => {
    if (!running) return undefined;
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape' && !document.querySelector('[role="dialog"]')) {
        event.preventDefault();
        void cancel();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [running, cancel]);

  const result = runner.outcome?.result ?? null;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Query</Title>
          <Group gap="xs" mt={4}>
            <Text size="sm" c="dimmed">Runs on</Text>
            <Text size="sm" fw={600}>{profile.name}</Text>
            <Text size="sm" c="dimmed" ff="monospace">{profile.user}@{profile.host}:{profile.port}/{profile.database}</Text>
            <EnvBadge env={profile.env} />
            {profile.readOnly ? (
              <Badge color="gray" variant="outline" radius="sm" leftSection={<IconLock size={12} />}>read-only: writes are refused by the server</Badge>
            ) : null}
          </Group>
        </div>
        <Group gap="xs" align="flex-end">
          <Select label="Max rows" data={[...MAX_ROWS_CHOICES]} value={maxRows} onChange={(v) => v && setMaxRows(v)} w={120} allowDeselect={false} disabled={running} />
          {running ? (
            <Button color="orange" onClick={() => void cancel()} loading={runner.cancelling} aria-keyshortcuts="Escape">Cancel</Button>
          ) : null}
          <Button onClick={runFromEditor} loading={running} disabled={sql.trim() === ''} aria-keyshortcuts="Control+Enter Meta+Enter">Run</Button>
        </Group>
      </Group>

      <Textarea
        ref={editorRef}
        label="SQL"
        description="Ctrl+Enter (⌘+Enter) runs the selection, or the whole script when nothing is selected. Esc cancels."
        value={sql}
        onChange={(e) => {
          setSql(e.currentTarget.value);
          saveScript(profile.id, e.currentTarget.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            runFromEditor();
          }
        }}
        autosize
        minRows={8}
        maxRows={20}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 14 } }}
        placeholder="SELECT … ;"
      />

      {result?.transactionOpen ? (
        <Alert color="yellow" variant="filled" icon={<IconAlert />} title="Transaction open" role="alert">
          A transaction is still open on this console's session: its locks stay held and the session shows as "idle in transaction" until you run COMMIT or ROLLBACK.
        </Alert>
      ) : null}
      {runner.error ? <ErrorAlert title="The query did not run" error={runner.error} onClose={runner.clearError} /> : null}
      {running ? (
        <Text size="sm" c="dimmed" role="status">{runner.cancelling ? 'Cancelling on the server…' : 'Running… (Esc or Cancel stops it on the server)'}</Text>
      ) : null}
      {runner.parseFailure ? (
        <Stack gap={4}>
          <QueryErrorAlert error={runner.parseFailure.failure} at={errorAt} />
          <Text size="sm" c="dimmed">Nothing was sent to the server: the script did not parse.</Text>
        </Stack>
      ) : result ? (
        result.statements.length > 0 ? (
          <ResultsPanel results={result.statements} errorAt={errorAt} maxRows={maxRows} onMaxRows={setMaxRows} />
        ) : (
          <Text size="sm" c="dimmed">The script held no statement.</Text>
        )
      ) : !running ? (
        <EmptyState onExample={runExample} />
      ) : null}

      {runner.guard?.kind === 'blocked' ? <BlockedModal items={runner.guard.items} onCancel={runner.dismissGuard} onOverride={runner.override} /> : null}
      {runner.guard?.kind === 'confirm' ? (
        <ConfirmWriteModal profile={profile} statements={runner.guard.statements} onCancel={runner.dismissGuard} onConfirm={runner.confirm} />
      ) : null}
      {runner.guard?.kind === 'password' ? <PasswordModal profile={profile} onCancel={runner.dismissGuard} onSubmit={runner.withPassword} /> : null}
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
          <Text fw={600} mb={4}>Pick a profile first</Text>
          <Text size="sm" c="dimmed" mb="sm">
            {profiles.length > 0
              ? 'Choose the database to query with the profile switcher at the top; the coloured band shows which environment you are on.'
              : 'No connection profile exists yet: add one (or start the demo sandbox) on the Profiles screen.'}
          </Text>
          <Button variant="light" onClick={() => setScreen('profiles')}>Open Profiles</Button>
        </Paper>
      </Stack>
    );
  }
  // Keyed by profile: switching profiles starts from that profile's own script and results.
  return <QueryConsole key={active.id} profile={active} />;
}
