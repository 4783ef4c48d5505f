// The console's lower pane: Results, Plan, History and Snippets. It takes whatever height
// is left below the splitter, and each panel scrolls inside itself (the grid has its own
// virtual scroll), so the page never does.
import { Button, Group, Kbd, Paper, Stack, Tabs, Text } from '@mantine/core';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { HistoryPanel } from './HistoryPanel';
import { resultViews, useLiveVersion } from './live-results';
import { FILL_COLUMN, SCROLLS } from './layout-model';
import { PlanView } from './PlanView';
import { EXAMPLES, type EditorRange } from './query-tools';
import { QueryErrorAlert, ResultsPanel } from './ResultsPanel';
import { SnippetsPanel } from './SnippetsPanel';
import type { ExplainState } from './useExplain';
import type { QueryRunner } from './useQueryRunner';

export type Panel = 'results' | 'plan' | 'history' | 'snippets';

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
        Or run one of the runbook&apos;s checks (more under Snippets):
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

export interface ConsolePanelsProps {
  panel: Panel;
  onPanel: (panel: Panel) => void;
  profileId: string;
  runner: QueryRunner;
  explain: ExplainState;
  errorAt: EditorRange | null;
  maxRows: number;
  historyKey: number;
  currentSql: string;
  onOpenSql: (sql: string) => void;
  onOpenAndRun: (sql: string) => void;
}

/**
 * The Results panel's content: the one part that follows streamed rows (useLiveVersion), so a
 * batch re-renders the results, not the panel tabs around them nor the console.
 */
function ResultsContent({ runner, errorAt, maxRows, onOpenAndRun }: Pick<ConsolePanelsProps, 'runner' | 'errorAt' | 'maxRows' | 'onOpenAndRun'>) {
  const running = runner.running;
  useLiveVersion(runner.live);
  const views = resultViews(runner.live, runner.outcome?.result.statements ?? null, running);
  if (runner.parseFailure) {
    return (
      <Stack gap={4} style={SCROLLS}>
        <QueryErrorAlert error={runner.parseFailure.failure} at={errorAt} />
        <Text size="sm" c="dimmed">
          Nothing was sent to the server: the script did not parse.
        </Text>
      </Stack>
    );
  }
  if (views.length > 0) {
    return (
      <ResultsPanel
        views={views}
        errorAt={errorAt}
        more={{
          limit: maxRows,
          fetching: runner.fetchingMore,
          onFetchMore: () => void runner.fetchMore(),
          onClose: () => void runner.closeResult(),
        }}
      />
    );
  }
  if (runner.outcome) {
    return (
      <Text size="sm" c="dimmed">
        The script held no statement.
      </Text>
    );
  }
  return !running ? (
    <div style={SCROLLS}>
      <EmptyState onExample={onOpenAndRun} />
    </div>
  ) : null;
}

export function ConsolePanels({
  panel,
  onPanel,
  profileId,
  runner,
  explain,
  errorAt,
  maxRows,
  historyKey,
  currentSql,
  onOpenSql,
  onOpenAndRun,
}: ConsolePanelsProps) {
  return (
    <Tabs value={panel} onChange={(v) => v && onPanel(v as Panel)} keepMounted={false} style={FILL_COLUMN}>
      <Tabs.List aria-label="Console panels" style={{ flex: 'none' }}>
        <Tabs.Tab value="results" py={6}>
          Results
        </Tabs.Tab>
        <Tabs.Tab value="plan" py={6}>
          Plan
        </Tabs.Tab>
        <Tabs.Tab value="history" py={6}>
          History
        </Tabs.Tab>
        <Tabs.Tab value="snippets" py={6}>
          Snippets
        </Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="results" pt={6} style={FILL_COLUMN}>
        <ResultsContent runner={runner} errorAt={errorAt} maxRows={maxRows} onOpenAndRun={onOpenAndRun} />
      </Tabs.Panel>
      <Tabs.Panel value="plan" pt={6} style={FILL_COLUMN}>
        <div style={{ ...FILL_COLUMN, gap: 6 }}>
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
              Put the cursor in a statement and press F7 (Explain: the planner&apos;s estimate, nothing runs) or Shift+F7 (Explain analyze: it runs inside a
              transaction that is rolled back, with real times and rows).
            </Text>
          ) : null}
        </div>
      </Tabs.Panel>
      <Tabs.Panel value="history" pt={6} style={FILL_COLUMN}>
        <div style={SCROLLS}>
          <HistoryPanel profileId={profileId} onOpen={onOpenSql} onRun={onOpenAndRun} refreshKey={historyKey} />
        </div>
      </Tabs.Panel>
      <Tabs.Panel value="snippets" pt={6} style={FILL_COLUMN}>
        <div style={SCROLLS}>
          <SnippetsPanel onInsert={onOpenSql} currentSql={currentSql} />
        </div>
      </Tabs.Panel>
    </Tabs>
  );
}
