// Start a profile from something that already exists: a URI, the PG* environment of the
// process running the core, or an entry of ~/.pg_service.conf.
import { Button, Group, Modal, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ProfileDraft } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { fieldErrorsOf, toShownError, type ShownError } from '../../shared/state/errors';

type ServiceList = { path: string; services: Array<{ name: string; draft: ProfileDraft }> };

export function ImportBar({ onDraft }: { onDraft: (draft: ProfileDraft, source: string) => void }) {
  const [uri, setUri] = useState('');
  const [uriError, setUriError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'uri' | 'env' | 'service'>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [services, setServices] = useState<ServiceList | null>(null);

  async function fromUri() {
    setUriError(null);
    setError(null);
    if (uri.trim() === '') {
      setUriError('Paste a URI such as postgresql://user@host:5432/dbname');
      return;
    }
    setBusy('uri');
    try {
      onDraft(await api.parseProfileUri({ uri }), 'the URI');
      setUri('');
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setUriError(fields.uri ?? toShownError(err).message);
    } finally {
      setBusy(null);
    }
  }

  async function fromEnv() {
    setError(null);
    setBusy('env');
    try {
      onDraft(await api.importProfileFromEnv({}), 'the environment (PGHOST, PGPORT, PGDATABASE, PGUSER…)');
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }

  async function fromServiceFile() {
    setError(null);
    setBusy('service');
    try {
      setServices(await api.listServiceFileEntries({}));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Paper withBorder p="md" bg="var(--mantine-color-default-hover)">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          Start from an existing connection (optional)
        </Text>
        <Group align="flex-start" gap="sm" wrap="nowrap">
          <TextInput
            label="Connection URI"
            placeholder="postgresql://user:password@host:5432/dbname?sslmode=require"
            description="A password in the URI goes to the password field below, never into the profile."
            value={uri}
            onChange={(e) => setUri(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void fromUri();
              }
            }}
            error={uriError}
            style={{ flex: 1 }}
            autoComplete="off"
            spellCheck={false}
          />
          <Button mt={44} variant="light" onClick={() => void fromUri()} loading={busy === 'uri'}>
            Fill from URI
          </Button>
        </Group>
        <Group gap="sm">
          <Button size="xs" variant="default" onClick={() => void fromEnv()} loading={busy === 'env'}>
            Import from environment
          </Button>
          <Button size="xs" variant="default" onClick={() => void fromServiceFile()} loading={busy === 'service'}>
            Import from ~/.pg_service.conf
          </Button>
        </Group>
        {error ? <ErrorAlert title="Nothing imported" error={error} onClose={() => setError(null)} /> : null}
      </Stack>
      <Modal opened={services !== null} onClose={() => setServices(null)} title="Services in the service file" size="lg">
        {services ? (
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              From {services.path}
            </Text>
            {services.services.length === 0 ? (
              <Text size="sm">That file defines no services.</Text>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Service</Table.Th>
                    <Table.Th>Connection</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {services.services.map((s) => (
                    <Table.Tr key={s.name}>
                      <Table.Td>{s.name}</Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {s.draft.fields.user ?? '?'}@{s.draft.fields.host ?? '?'}:{s.draft.fields.port ?? 5432}/{s.draft.fields.database ?? '?'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          aria-label={`Use service ${s.name}`}
                          onClick={() => {
                            onDraft({ ...s.draft, fields: { name: s.name, ...s.draft.fields } }, `service "${s.name}"`);
                            setServices(null);
                          }}
                        >
                          Use
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Stack>
        ) : null}
      </Modal>
    </Paper>
  );
}
