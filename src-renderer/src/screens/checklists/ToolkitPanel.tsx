// The ops toolkit on the active profile: which version is installed against the one the app
// ships, which runbook functions are present, missing or shadowed by a function of the same
// name, the exact SQL an install runs, and the install itself (typed name on production;
// the core refuses read-only profiles and audits the SQL it ran).
import { Alert, Badge, Button, Code, Group, Loader, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { Profile } from '@contract/models';
import type { ToolkitStatus } from '@contract/runbook';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconCheck } from '../../shared/components/icons';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { toShownError, type ShownError } from '../../shared/state/errors';

export interface ToolkitPanelProps {
  profile: Profile;
  password: string | undefined;
  onClose: () => void;
  /** The step that needed the toolkit: offered to run again once it is installed. */
  retry?: { title: string; run: () => void } | undefined;
}

function FunctionState({ fn }: { fn: ToolkitStatus['functions'][number] }) {
  if (fn.conflict)
    return (
      <Badge color="orange" variant="light" radius="sm">
        conflict
      </Badge>
    );
  return fn.present ? (
    <Badge color="green" variant="light" radius="sm">
      present
    </Badge>
  ) : (
    <Badge color="gray" variant="outline" radius="sm">
      missing
    </Badge>
  );
}

function FunctionsTable({ status }: { status: ToolkitStatus }) {
  return (
    <Table.ScrollContainer minWidth={420} maxHeight={280}>
      <Table withTableBorder verticalSpacing={4} fz="sm" aria-label="Toolkit functions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Function</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {status.functions.map((fn) => (
            <Table.Tr key={fn.name}>
              <Table.Td ff="monospace">{fn.name}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <FunctionState fn={fn} />
                  {fn.conflict ? (
                    <Text size="xs" c="dimmed">
                      {fn.conflict}
                    </Text>
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function versionLine(status: ToolkitStatus): string {
  if (status.version === null) return `Not installed. This app ships version ${status.latest}.`;
  if (status.version === status.latest) return `Version ${status.version} installed (the version this app ships).`;
  return `Version ${status.version} installed; this app ships ${status.latest}.`;
}

function installError(err: unknown, profile: Profile): ShownError {
  if (err instanceof OpsError && err.code === 'READ_ONLY') {
    return {
      code: err.code,
      message: `"${profile.name}" is a read-only profile, so nothing can be installed through it. Install the toolkit with a profile that may write (the functions need CREATE on the database), then check again here. ${err.message}`,
    };
  }
  return toShownError(err);
}

export function ToolkitPanel({ profile, password, onClose, retry }: ToolkitPanelProps) {
  const [status, setStatus] = useState<ToolkitStatus | null>(null);
  const [loading, setLoading] = useState(false);
  const [installing, setInstalling] = useState(false);
  const [installed, setInstalled] = useState(false);
  const [showSql, setShowSql] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ShownError | null>(null);
  const needsName = profile.env === 'production';
  const secret = password !== undefined ? { password } : {};

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setStatus(await api.getToolkitStatus({ profileId: profile.id, ...(password !== undefined ? { password } : {}) }));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setLoading(false);
    }
  }, [profile.id, password]);

  useEffect(() => {
    void load();
  }, [load]);

  async function install() {
    setInstalling(true);
    setError(null);
    try {
      setStatus(await api.installToolkit({ profileId: profile.id, ...(needsName ? { confirmName: typed } : {}), ...secret }));
      setInstalled(true);
    } catch (err) {
      setError(installError(err, profile));
    } finally {
      setInstalling(false);
    }
  }

  const upToDate = status !== null && status.installed && status.version === status.latest;
  const canInstall = status !== null && !upToDate && (!needsName || typed === profile.name);

  return (
    <Modal opened onClose={onClose} title="Ops toolkit" centered size="xl">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          The server functions the runbook calls (in schema ops_toolkit, with wrappers in public). Installing is idempotent, needs no superuser and runs in one
          transaction.
        </Text>
        {loading && !status ? (
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm">Reading the toolkit's state on {profile.name}…</Text>
          </Group>
        ) : null}
        {status ? (
          <>
            <Group gap="sm">
              <Text size="sm" fw={600} role="status" aria-label="Toolkit version">
                {versionLine(status)}
              </Text>
              {status.installed ? (
                <Badge color="green" variant="light">
                  installed
                </Badge>
              ) : (
                <Badge color="gray" variant="outline">
                  incomplete
                </Badge>
              )}
            </Group>
            <FunctionsTable status={status} />
            <Group gap="sm">
              <Button variant="default" size="xs" onClick={() => setShowSql((v) => !v)} aria-expanded={showSql}>
                {showSql ? 'Hide SQL' : 'Show SQL'}
              </Button>
              <Button variant="subtle" size="xs" onClick={() => void load()} loading={loading}>
                Check again
              </Button>
            </Group>
            {showSql ? (
              <ScrollArea.Autosize mah={320}>
                <Code block aria-label="Toolkit install SQL" style={{ whiteSpace: 'pre' }}>
                  {status.sql}
                </Code>
              </ScrollArea.Autosize>
            ) : null}
          </>
        ) : null}
        {needsName && status && !upToDate ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
        {error ? <ErrorAlert title="The toolkit" error={error} onClose={() => setError(null)} /> : null}
        {installed && status ? (
          <Alert color="green" variant="light" icon={<IconCheck />} title="Installed" role="status">
            Ops toolkit {status.version ?? status.latest} is installed on {profile.name}; the install is in the audit trail.
            {retry ? (
              <Group mt="xs">
                <Button
                  size="xs"
                  onClick={() => {
                    retry.run();
                    onClose();
                  }}
                >
                  Run "{retry.title}" again
                </Button>
              </Group>
            ) : null}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="subtle" color="gray" onClick={onClose}>
            Close
          </Button>
          <Button onClick={() => void install()} loading={installing} disabled={!canInstall}>
            {status?.version ? (upToDate ? 'Up to date' : `Upgrade to ${status.latest}`) : `Install ${status?.latest ?? 'toolkit'}`}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
