// Source: a catalog backup (every profile's, newest first) or a typed path, and what it holds
// as the core read it (manifest, pg_restore --list or the plain header). Nothing connects.
import { Alert, Badge, Button, Code, Group, Loader, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { BackupContents } from '@contract/restore';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert } from '../../shared/components/icons';
import { formatCount, formatBytes } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { FORMAT_LABELS } from '../../shared/labels/backup';
import { backupLabel, objectsLine, rowsText, versionsLine, type RestoreWizardState } from './restore-model';
import type { InspectAnswer } from './useRestoreJob';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500} component="div">
        {children}
      </Text>
    </Stack>
  );
}

/** A plain script with psql meta-commands: the core refuses it; say so here, with the lines. */
function MetaCommandsAlert({ meta }: { meta: NonNullable<BackupContents['metaCommands']> }) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlert />}
      title={`Refused: psql meta-commands on ${formatCount(meta.total)} line${meta.total === 1 ? '' : 's'}`}
      role="alert"
      aria-label="psql meta-commands"
    >
      <Text size="sm">
        Backslash commands make psql run programs, read or write files on this machine or connect elsewhere. A dump written by pg_dump has none, so this script
        cannot be restored.
      </Text>
      <Stack gap={2} mt="xs" mah={160} style={{ overflow: 'auto' }}>
        {meta.lines.map((l) => (
          <Text key={l.line} size="xs" ff="monospace">
            line {l.line}: {l.text}
          </Text>
        ))}
        {meta.total > meta.lines.length ? (
          <Text size="xs" c="dimmed">
            … and {formatCount(meta.total - meta.lines.length)} more
          </Text>
        ) : null}
      </Stack>
    </Alert>
  );
}

export function ContentsView({ contents }: { contents: BackupContents }) {
  const tables = contents.tables;
  return (
    <Stack gap="sm" aria-label="Backup contents" role="region">
      <Text size="sm" fw={600}>
        {versionsLine(contents)}
      </Text>
      {contents.metaCommands && contents.metaCommands.total > 0 ? <MetaCommandsAlert meta={contents.metaCommands} /> : null}
      <SimpleGrid cols={4} spacing="sm">
        <Fact label="Format">{FORMAT_LABELS[contents.format]}</Fact>
        <Fact label="Size">{formatBytes(contents.bytes)}</Fact>
        <Fact label="Taken">{contents.createdAt ? formatTime(contents.createdAt) : '—'}</Fact>
        <Fact label="Needs client tools">{contents.requiredMajor === null ? 'any version' : `version ${contents.requiredMajor} or newer`}</Fact>
        <Fact label="Schemas">{contents.schemas.length > 0 ? contents.schemas.join(', ') : '—'}</Fact>
        <Fact label="Functions">{formatCount(contents.functions)}</Fact>
        <Fact label="Extensions">{contents.extensions.length > 0 ? contents.extensions.join(', ') : 'none'}</Fact>
        <Fact label="Roles referenced">{contents.roles.length > 0 ? contents.roles.join(', ') : 'none (no owners or grants in the dump)'}</Fact>
        <Fact label="Roles its grants and policies name">{contents.namedRoles.length > 0 ? contents.namedRoles.join(', ') : 'none'}</Fact>
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        Objects: {objectsLine(contents.objects)}
        {contents.tocEntries !== null ? ` · ${formatCount(contents.tocEntries)} TOC entries` : ''}
        {contents.manifest ? ' · from its manifest' : ' · no manifest: read from the archive itself'}
      </Text>
      {contents.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" title="Warnings">
          <Stack gap={2}>
            {contents.warnings.map((w) => (
              <Text key={w} size="sm">
                {w}
              </Text>
            ))}
          </Stack>
        </Alert>
      ) : null}
      {tables.length > 0 ? (
        <Table.ScrollContainer minWidth={420} mah={260}>
          <Table striped withTableBorder verticalSpacing={2} aria-label="Tables in the backup">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Table</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th>Count</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tables.map((t) => {
                const view = rowsText(t);
                return (
                  <Table.Tr key={`${t.schema}.${t.name}`}>
                    <Table.Td>
                      <Code>
                        {t.schema}.{t.name}
                      </Code>
                    </Table.Td>
                    <Table.Td ta="right">{view.rows}</Table.Td>
                    <Table.Td>
                      <Badge size="xs" variant="light" color={view.how === 'exact' ? 'green' : 'gray'}>
                        {view.how}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : (
        <Text size="sm" c="dimmed">
          No tables in this backup.
        </Text>
      )}
    </Stack>
  );
}

export interface SourceStepProps {
  state: RestoreWizardState;
  onChange: (next: RestoreWizardState) => void;
  backups: BackupEntry[] | null;
  inspect: { answer: InspectAnswer | null; inspecting: boolean; onInspect: () => void };
  onGoToBackups: () => void;
}

export function SourceStep({ state, onChange, backups, inspect, onGoToBackups }: SourceStepProps) {
  const options = (backups ?? []).map((b) => ({ value: b.id, label: backupLabel(b) }));
  return (
    <Stack gap="sm">
      <SegmentedControl
        value={state.sourceMode}
        onChange={(v) => onChange({ ...state, sourceMode: v as RestoreWizardState['sourceMode'] })}
        data={[
          { value: 'catalog', label: 'From the catalog' },
          { value: 'path', label: 'A file or folder' },
        ]}
        aria-label="Where the backup comes from"
        w={360}
      />
      {state.sourceMode === 'catalog' ? (
        backups && backups.length === 0 ? (
          <Alert color="blue" variant="light" title="No backups yet">
            <Text size="sm">No backups yet: take one on the Backups screen, or type the path of a dump file.</Text>
            <Button mt="sm" size="xs" onClick={onGoToBackups}>
              Go to Backups
            </Button>
          </Alert>
        ) : (
          <Select
            label="Backup"
            description="Good backups of every profile, newest first"
            placeholder={backups ? 'Pick a backup' : 'Loading the catalog…'}
            data={options}
            value={state.backupId}
            onChange={(v) => onChange({ ...state, backupId: v })}
            searchable
            nothingFoundMessage="No backup matches"
            maxDropdownHeight={280}
          />
        )
      ) : (
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Path"
            description="A custom-format file, a directory dump or a plain .sql script on this machine"
            placeholder="/var/backups/postgres/shop_full.dump"
            value={state.path}
            onChange={(e) => onChange({ ...state, path: e.currentTarget.value })}
            onBlur={inspect.onInspect}
            spellCheck={false}
            autoComplete="off"
            style={{ flex: 1 }}
          />
          <Button variant="default" onClick={inspect.onInspect} disabled={state.path.trim() === ''}>
            Read it
          </Button>
        </Group>
      )}
      {inspect.inspecting ? (
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">Reading the backup…</Text>
        </Group>
      ) : null}
      {inspect.answer?.error && !inspect.inspecting ? <ErrorAlert title="This backup cannot be read" error={inspect.answer.error} /> : null}
      {inspect.answer?.contents && !inspect.inspecting ? <ContentsView contents={inspect.answer.contents} /> : null}
    </Stack>
  );
}
