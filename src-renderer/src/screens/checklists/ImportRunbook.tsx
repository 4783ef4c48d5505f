// "Import a runbook": a Markdown file is read in the page (File.text(), no Node here) and sent
// to importRunbook, which only parses it (and, with "Save in the app", keeps it in the local
// store). What it found is shown read-only: the counts, the characters it repaired, its
// warnings, the placeholders, and each procedure with its steps. Nothing is run, and the
// screen says so, because a runbook is full of statements that change or stop a server.
// Saved runbooks are listed below the form.
import { Alert, Button, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useId, useState } from 'react';
import type { RunbookImportResult } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconInfo } from '../../shared/components/icons';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { RunbookStepTools } from './RunbookStepTools';
import { RunbookSummary } from './runbook-outline';
import { SavedRunbooks } from './SavedRunbooks';

type ImportAnswer = RunbookImportResult & { savedId: string | null };

function ImportedRunbookView({ result }: { result: ImportAnswer }) {
  return (
    <Paper component="section" withBorder p="md" aria-label="Imported runbook">
      <Stack gap="sm">
        <Title order={3}>{result.title}</Title>
        {result.source ? (
          <Text size="sm" c="dimmed">
            From {result.source}
          </Text>
        ) : null}
        <Alert color="blue" variant="light" icon={<IconInfo />} role="status">
          Imported for reading: nothing was run.
          {result.savedId ? ' Saved in the app: it is in "Saved runbooks" below.' : ' Not saved: it is gone when you leave this screen.'}
        </Alert>
        <RunbookSummary result={result} Tools={RunbookStepTools} />
      </Stack>
    </Paper>
  );
}

export function ImportRunbook() {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<ImportAnswer | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  // On by default: a runbook worth importing is usually worth keeping; the choice is remembered.
  const [save, setSave] = useState(() => readSetting('runbook.import-save') !== 'no');
  const [savedKey, setSavedKey] = useState(0);

  async function importFile() {
    if (!file) return;
    setImporting(true);
    setError(null);
    try {
      const markdown = await file.text();
      const answer = await api.importRunbook({ markdown, source: file.name, save });
      setResult(answer);
      if (answer.savedId) setSavedKey((k) => k + 1);
    } catch (err) {
      setResult(null);
      setError(toShownError(err));
    } finally {
      setImporting(false);
    }
  }

  return (
    <Stack gap="md">
      <Paper component="section" withBorder p="md" aria-label="Import a runbook">
        <Stack gap="sm">
          <Title order={3}>Import a runbook</Title>
          <Text size="sm" c="dimmed">
            Reads a Markdown runbook into procedures and steps to look over. Nothing in it is run. With "Save in the app" (on by default) it is kept under
            "Saved runbooks" below.
          </Text>
          <Group gap="sm" align="end">
            <Stack gap={4}>
              <Text component="label" htmlFor={inputId} size="sm" fw={500}>
                Runbook file (Markdown)
              </Text>
              <input
                id={inputId}
                type="file"
                accept=".md,.markdown,text/markdown"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0] ?? null);
                  setError(null);
                }}
              />
            </Stack>
            <Switch
              label="Save in the app"
              checked={save}
              onChange={(e) => {
                const next = e.currentTarget.checked;
                setSave(next);
                writeSetting('runbook.import-save', next ? 'yes' : 'no');
              }}
            />
            <Button onClick={() => void importFile()} loading={importing} disabled={!file}>
              Import
            </Button>
          </Group>
          {error ? <ErrorAlert title="The runbook could not be imported" error={error} onClose={() => setError(null)} /> : null}
        </Stack>
      </Paper>
      {result ? <ImportedRunbookView result={result} /> : null}
      <SavedRunbooks refreshKey={savedKey} />
    </Stack>
  );
}
