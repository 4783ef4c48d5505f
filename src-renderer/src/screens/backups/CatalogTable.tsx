// The backup catalog: every backup the app made, filtered by profile (the active one by
// default, or all), with its status, size, duration and last verification. Per row: Verify
// (checksum and TOC again; the checks show under the row), Copy path, Details, Delete.
import { Alert, Badge, Button, CopyButton, Group, List, Loader, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { Profile } from '@contract/models';
import { api, transport } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError } from '../../shared/state/errors';
import { formatTime } from '../../shared/format/time';
import { ALL_PROFILES, durationText, fileNameOf, STATUS_COLORS, STATUS_LABELS, verificationText } from './backup-wizard-model';
import { formatBytes } from '../../shared/format/numbers';
import { FORMAT_SHORT, KIND_SHORT } from '../../shared/labels/backup';
import { BackupDetailsModal, DeleteBackupModal } from './CatalogDialogs';
import { useCatalog, type VerifyState } from './useCatalog';
import { verdictOf, type CheckVerdict } from '@contract/verdict';
import { VERDICT_COLORS, VerdictBadge } from '../../shared/components/VerdictBadge';
import { PINNED_RIGHT } from '../../shared/components/table-styles';

const VERIFY_TITLES: Record<CheckVerdict, string> = { pass: 'Verification OK', warning: 'Verified, with warnings', fail: 'Verification FAILED' };

const COLUMNS = 9;
const NOWRAP = { whiteSpace: 'nowrap' } as const;

function VerificationRow({ entry, state, onDismiss }: { entry: BackupEntry; state: VerifyState; onDismiss: () => void }) {
  const name = fileNameOf(entry.path);
  return (
    <Table.Tr>
      <Table.Td colSpan={COLUMNS}>
        <section aria-label={`Verification of ${name}`}>
          {state.running ? (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm">Verifying {name}: checksum, then the archive’s table of contents…</Text>
            </Group>
          ) : state.error ? (
            <ErrorAlert title={`Verification of ${name} could not run`} error={state.error} onClose={onDismiss} />
          ) : state.result ? (
            <Alert
              color={VERDICT_COLORS[verdictOf(state.result)]}
              variant="light"
              title={`${VERIFY_TITLES[verdictOf(state.result)]}: ${name}`}
              withCloseButton
              closeButtonLabel="Hide the verification"
              onClose={onDismiss}
            >
              <List size="sm" spacing={2}>
                {state.result.checks.map((check) => (
                  <List.Item key={check.name}>
                    <VerdictBadge check={check} size="xs" />{' '}
                    <Text span size="sm" fw={500}>
                      {check.name}
                    </Text>
                    <Text span size="sm" c="dimmed">
                      {' '}
                      {check.detail}
                    </Text>
                  </List.Item>
                ))}
              </List>
            </Alert>
          ) : null}
        </section>
      </Table.Td>
    </Table.Tr>
  );
}

export interface CatalogTableProps {
  profiles: Profile[];
  activeProfileId: string | null;
  filter: string;
  onFilter: (filter: string) => void;
  refreshKey: number;
}

/** What "Show in folder" did, in words, for the transport this page runs on. */
export function revealText(revealed: boolean): string {
  if (transport === 'desktop') return revealed ? 'Shown in the file manager.' : 'The file manager could not be opened. The backup is here:';
  return revealed
    ? 'Browser mode: the file manager was asked to open the folder on the machine running Ops Console; if no window appeared here, the backup is here:'
    : 'Browser mode cannot open a file manager from a web page, and the machine running Ops Console has none to ask (no xdg-open/open). The backup is here:';
}

export function CatalogTable({ profiles, activeProfileId, filter, onFilter, refreshKey }: CatalogTableProps) {
  const { backups, error, reload, verify, verifications, dismissVerification } = useCatalog(filter, refreshKey);
  const [details, setDetails] = useState<BackupEntry | null>(null);
  const [deleting, setDeleting] = useState<BackupEntry | null>(null);
  const options = [
    { value: ALL_PROFILES, label: 'All profiles' },
    ...profiles.map((p) => ({ value: p.id, label: p.id === activeProfileId ? `${p.name} (active)` : p.name })),
  ];
  const [revealNote, setRevealNote] = useState<{ text: string; path: string | null } | null>(null);
  // Every answer is said where the button was pressed: in browser mode the page cannot open
  // a file manager itself, and one opened on the serving machine may not be in sight.
  async function reveal(entry: BackupEntry) {
    try {
      const answer = await api.revealBackup({ id: entry.id });
      setRevealNote({ text: revealText(answer.revealed), path: answer.path });
    } catch (err) {
      setRevealNote({ text: toShownError(err).message, path: null });
    }
  }
  const filterName = filter === ALL_PROFILES ? null : (profiles.find((p) => p.id === filter)?.name ?? null);

  return (
    <Paper withBorder p="md" component="section" aria-label="Backup catalog">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <Title order={3} size="h4">
            Catalog
          </Title>
          <Group gap="xs" align="flex-end">
            <Select label="Profile" data={options} value={filter} onChange={(v) => onFilter(v ?? ALL_PROFILES)} allowDeselect={false} w={240} />
            <Button variant="default" onClick={() => void reload()}>
              Refresh
            </Button>
          </Group>
        </Group>
        {error ? <ErrorAlert title="The catalog could not be read" error={error} /> : null}
        {revealNote ? (
          <Alert
            color="gray"
            variant="light"
            role="status"
            aria-label="Show in folder"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setRevealNote(null)}
          >
            <Text size="sm">{revealNote.text}</Text>
            {revealNote.path ? (
              <Group gap="xs" wrap="nowrap" mt={4}>
                <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {revealNote.path}
                </Text>
                <CopyButton value={revealNote.path}>
                  {({ copied, copy }) => (
                    <Button size="compact-xs" variant="light" onClick={copy}>
                      {copied ? 'Copied' : 'Copy path'}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            ) : null}
          </Alert>
        ) : null}
        {backups === null && !error ? <Loader size="sm" aria-label="Loading the catalog" /> : null}
        {backups !== null && backups.length === 0 ? (
          <Text size="sm" c="dimmed">
            {filterName ? `No backups of ${filterName} yet: start one above.` : 'No backups yet: start one above.'}
          </Text>
        ) : null}
        {backups !== null && backups.length > 0 ? (
          // Scrolls inside itself on a narrow window, its actions pinned right: the page never scrolls sideways.
          <Table.ScrollContainer minWidth={820} type="native">
            <Table striped highlightOnHover withTableBorder aria-label="Backups" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Profile</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Format</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                  <Table.Th>Duration</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last verification</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th style={PINNED_RIGHT}>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {backups.map((entry) => {
                  const name = fileNameOf(entry.path);
                  const verification = verifications[entry.id];
                  return (
                    <Fragment key={entry.id}>
                      <Table.Tr aria-label={`Backup ${name}`}>
                        <Table.Td>{entry.profileName}</Table.Td>
                        <Table.Td>{KIND_SHORT[entry.kind]}</Table.Td>
                        <Table.Td>{FORMAT_SHORT[entry.format]}</Table.Td>
                        <Table.Td ta="right" style={NOWRAP}>
                          {formatBytes(entry.bytes)}
                        </Table.Td>
                        <Table.Td style={NOWRAP}>{durationText(entry)}</Table.Td>
                        <Table.Td>
                          <Badge
                            color={STATUS_COLORS[entry.status]}
                            variant={entry.status === 'ok' ? 'light' : 'filled'}
                            aria-label={`Status: ${STATUS_LABELS[entry.status]}`}
                          >
                            {STATUS_LABELS[entry.status]}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{verificationText(entry)}</Table.Td>
                        <Table.Td title={entry.path} style={NOWRAP}>
                          {formatTime(entry.startedAt)}
                        </Table.Td>
                        <Table.Td style={PINNED_RIGHT}>
                          <Group gap={4} wrap="nowrap">
                            <Button
                              size="compact-xs"
                              variant="light"
                              onClick={() => void verify(entry.id)}
                              disabled={entry.status !== 'ok' || verification?.running === true}
                              aria-label={`Verify ${name}`}
                            >
                              Verify
                            </Button>
                            <CopyButton value={entry.path}>
                              {({ copied, copy }) => (
                                <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy the path of ${name}`}>
                                  {copied ? 'Copied' : 'Copy path'}
                                </Button>
                              )}
                            </CopyButton>
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              onClick={() => void reveal(entry)}
                              disabled={entry.status !== 'ok'}
                              aria-label={`Show ${name} in its folder`}
                            >
                              Show in folder
                            </Button>
                            <Button size="compact-xs" variant="subtle" onClick={() => setDetails(entry)} aria-label={`Details of ${name}`}>
                              Details
                            </Button>
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              color="red"
                              onClick={() => setDeleting(entry)}
                              disabled={entry.status === 'running'}
                              aria-label={`Delete ${name}`}
                            >
                              Delete
                            </Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                      {verification ? <VerificationRow entry={entry} state={verification} onDismiss={() => dismissVerification(entry.id)} /> : null}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Stack>
      <BackupDetailsModal entry={details} onClose={() => setDetails(null)} />
      <DeleteBackupModal
        entry={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          setDeleting(null);
          void reload();
        }}
      />
    </Paper>
  );
}
