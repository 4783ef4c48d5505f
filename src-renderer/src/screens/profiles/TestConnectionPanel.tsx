// "Test connection": every stage with its outcome and timing, so a failure says where.
import { Alert, Badge, Button, Group, List, Paper, PasswordInput, Stack, Table, Text, ThemeIcon, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ConnectionTestResult, Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert, IconCheck, IconX } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { HostKeyPanel } from './HostKeyPanel';

export function TestConnectionPanel({ profile }: { profile: Profile }) {
  const { info } = useAppState();
  // The core keeps a password that worked only in a store that dies with the process.
  const remembered = info !== null && info.mode !== 'desktop';
  const [password, setPassword] = useState('');
  const [sshSecret, setSshSecret] = useState('');
  const [jumpSecret, setJumpSecret] = useState('');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const ssh = profile.ssh;

  async function run() {
    setRunning(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await api.testProfile({
          id: profile.id,
          ...(password ? { password } : {}),
          ...(sshSecret ? { sshSecret } : {}),
          ...(jumpSecret ? { jumpSecret } : {}),
        }),
      );
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Connection test">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <Button onClick={() => void run()} loading={running}>
            Test connection
          </Button>
          {!profile.hasSecret ? (
            <PasswordInput
              label="Password for this test"
              description={
                remembered
                  ? 'If it works, kept in memory until this server stops; never written to disk. Empty: ~/.pgpass or no password.'
                  : 'Not stored. Leave empty to use ~/.pgpass or no password.'
              }
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              w={320}
              autoComplete="off"
            />
          ) : null}
          {ssh && ssh.auth !== 'agent' && !profile.hasSshSecret ? (
            <PasswordInput
              label="SSH password or key passphrase for this test"
              description="Not stored. Only needed for SSH password login or an encrypted key."
              value={sshSecret}
              onChange={(e) => setSshSecret(e.currentTarget.value)}
              w={380}
              autoComplete="off"
            />
          ) : null}
          {ssh?.jump && ssh.jump.auth !== 'agent' && !profile.hasJumpSecret ? (
            <PasswordInput
              label="Jump host password or key passphrase for this test"
              description="Not stored."
              value={jumpSecret}
              onChange={(e) => setJumpSecret(e.currentTarget.value)}
              w={380}
              autoComplete="off"
            />
          ) : null}
        </Group>
        {error ? <ErrorAlert title="The test could not run" error={error} /> : null}
        {result ? (
          <Stack gap="sm" role="region" aria-label="Connection test result">
            <Group gap="sm">
              <Badge size="lg" color={result.ok ? 'teal' : 'red'} variant="filled" leftSection={result.ok ? <IconCheck size={14} /> : <IconX size={14} />}>
                {result.ok ? 'Connection ok' : 'Connection failed'}
              </Badge>
              {result.serverVersion ? (
                <Text size="sm">
                  Server: <b>{result.serverVersion}</b>
                </Text>
              ) : null}
            </Group>
            {/* Once a key is pinned the test runs again by itself, so the whole route is shown passing. */}
            {result.hostKey ? <HostKeyPanel profile={profile} decision={result.hostKey} onTrusted={() => void run()} /> : null}
            <Table aria-label="Connection stages" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <VisuallyHidden>Result</VisuallyHidden>
                  </Table.Th>
                  <Table.Th>Stage</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.stages.map((s) => (
                  <Table.Tr key={s.name}>
                    <Table.Td>
                      <ThemeIcon size="sm" radius="xl" color={s.ok ? 'teal' : 'red'} aria-hidden>
                        {s.ok ? <IconCheck size={12} /> : <IconX size={12} />}
                      </ThemeIcon>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                        {s.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600} c={s.ok ? 'teal' : 'red'}>
                        {s.ok ? 'ok' : 'failed'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                        {s.ms} ms
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={s.error ? 'red' : undefined}>
                        {s.error ?? s.detail ?? ''}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {result.warnings.length > 0 ? (
              <Alert color="yellow" variant="light" icon={<IconAlert />} title="Warnings">
                <List size="sm" spacing={4}>
                  {result.warnings.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              </Alert>
            ) : null}
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}
