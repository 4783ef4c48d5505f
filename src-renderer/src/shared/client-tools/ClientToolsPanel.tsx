// The client tools found on this machine (pg_dump, pg_dumpall, pg_restore, psql) by major
// version, every folder searched, and the extra folders searched first. A backup of a
// server newer than every pg_dump here is refused before it starts; this is where the user
// sees why and adds the folder of a newer one.
import { Badge, Button, Code, Collapse, Group, Loader, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { forwardRef, useEffect, useState } from 'react';
import { OpsError } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { fieldErrorsOf, toShownError, type ShownError } from '../state/errors';
import { cleanFolderList, groupToolsByMajor, shortVersion } from './client-tools-model';
import { useClientTools } from './useClientTools';

function FolderEditor({ saved, onSave }: { saved: string[]; onSave: (paths: string[]) => Promise<unknown> }) {
  const [rows, setRows] = useState<string[]>(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [done, setDone] = useState(false);
  const savedKey = saved.join('\n');
  useEffect(() => setRows(savedKey ? savedKey.split('\n') : []), [savedKey]);
  const dirty = cleanFolderList(rows).join('\n') !== savedKey;

  async function save() {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await onSave(cleanFolderList(rows));
      setDone(true);
    } catch (err) {
      const fields = fieldErrorsOf(err);
      const first = Object.values(fields)[0];
      setError(err instanceof OpsError && first ? { code: err.code, message: first } : toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="xs" role="group" aria-label="Extra folders">
      <Text size="sm" fw={600}>
        Extra folders, searched first
      </Text>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          None: add the bin folder of a PostgreSQL client installed somewhere unusual.
        </Text>
      ) : null}
      {rows.map((row, i) => (
        <Group key={i} gap="xs" wrap="nowrap">
          <TextInput
            aria-label={`Extra folder ${i + 1}`}
            placeholder="/opt/postgresql/17/bin"
            value={row}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setRows((all) => all.map((r, j) => (j === i ? value : r)));
            }}
            style={{ flex: 1 }}
            spellCheck={false}
          />
          <Button
            variant="subtle"
            color="red"
            size="xs"
            onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
            aria-label={`Remove extra folder ${i + 1}`}
          >
            Remove
          </Button>
        </Group>
      ))}
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={() => setRows((all) => [...all, ''])}>
          Add a folder
        </Button>
        <Button size="xs" onClick={() => void save()} disabled={!dirty} loading={busy}>
          Save folders
        </Button>
        {done && !dirty ? (
          <Text size="xs" c="dimmed" role="status">
            Saved; the tools were looked up again.
          </Text>
        ) : null}
      </Group>
      {error ? <ErrorAlert title="The folders were not saved" error={error} onClose={() => setError(null)} /> : null}
    </Stack>
  );
}

export const ClientToolsPanel = forwardRef<HTMLElement, { opened: boolean; onToggle: () => void }>(function ClientToolsPanel({ opened, onToggle }, ref) {
  const { report, error, loading, reload, savePaths } = useClientTools();
  const groups = report ? groupToolsByMajor(report) : [];
  const [showSearched, setShowSearched] = useState(false);
  const majors = groups.map((g) => g.major).join(', ');

  return (
    <Paper withBorder p="md" component="section" aria-label="Client tools" ref={ref} tabIndex={-1}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={3} size="h4">
              Client tools
            </Title>
            {report ? (
              <Text size="sm" c="dimmed">
                {groups.length > 0 ? `PostgreSQL ${majors}` : 'none found'}
              </Text>
            ) : null}
          </Group>
          <Group gap="xs">
            {opened ? (
              <Button variant="default" size="xs" onClick={() => void reload()} loading={loading}>
                Look again
              </Button>
            ) : null}
            <Button variant="subtle" size="xs" onClick={onToggle} aria-expanded={opened}>
              {opened ? 'Hide' : 'Show'} client tools
            </Button>
          </Group>
        </Group>
        <Collapse expanded={opened}>
          <Stack gap="md">
            {error ? <ErrorAlert title="The client tools could not be listed" error={error} /> : null}
            {!report && !error ? <Loader size="sm" aria-label="Looking for client tools" /> : null}
            {report && groups.length === 0 ? (
              <Text size="sm">
                No pg_dump, pg_restore or psql was found. Install the PostgreSQL client of your server’s version (Debian/Ubuntu: postgresql-client-NN; macOS:
                brew install postgresql@NN), or add its folder below.
              </Text>
            ) : null}
            {groups.map((group) => (
              <Stack key={group.major} gap={4}>
                <Text size="sm" fw={600}>
                  PostgreSQL {group.major}
                </Text>
                <Table withTableBorder verticalSpacing={2} aria-label={`Client tools of PostgreSQL ${group.major}`}>
                  <Table.Tbody>
                    {group.tools.map((tool) => (
                      <Table.Tr key={tool.path}>
                        <Table.Td w={120}>{tool.name}</Table.Td>
                        <Table.Td w={90}>{shortVersion(tool.version)}</Table.Td>
                        <Table.Td>
                          <Code style={{ wordBreak: 'break-all' }}>{tool.path}</Code>
                        </Table.Td>
                        <Table.Td w={160}>
                          <Badge variant="light" color="gray" size="sm">
                            {tool.source}
                          </Badge>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Stack>
            ))}
            {report ? (
              <Stack gap={4}>
                <Group gap="xs">
                  <Text size="sm" fw={600}>
                    Folders searched ({report.searched.length})
                  </Text>
                  <Button variant="subtle" size="compact-xs" onClick={() => setShowSearched((v) => !v)} aria-expanded={showSearched}>
                    {showSearched ? 'Hide' : 'Show'}
                  </Button>
                </Group>
                <Collapse expanded={showSearched}>
                  <Stack gap={2}>
                    {report.searched.map((folder) => (
                      <Code key={folder}>{folder}</Code>
                    ))}
                  </Stack>
                </Collapse>
              </Stack>
            ) : null}
            {report ? <FolderEditor saved={report.extraPaths} onSave={savePaths} /> : null}
          </Stack>
        </Collapse>
      </Stack>
    </Paper>
  );
});
