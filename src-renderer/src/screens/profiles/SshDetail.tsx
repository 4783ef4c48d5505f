// The SSH route of a profile and its pinned host keys, on the profile's detail page.
import { Code, Group, Paper, Stack, Text } from '@mantine/core';
import type { Profile, SshHopFields } from '@contract/models';
import { IconLock } from '../../shared/components/icons';
import { hopAddress, keyTypeLabel, sshRoute, SSH_AUTH_LABELS } from './ssh-form-model';

function authText(hop: SshHopFields, stored: boolean): string {
  if (hop.auth === 'agent') return `ssh-agent (${hop.agentSocket ?? 'SSH_AUTH_SOCK'})`;
  if (hop.auth === 'password') return `password ${stored ? '(stored)' : '(not stored: asked at each test)'}`;
  return `${SSH_AUTH_LABELS.key.toLowerCase()} ${hop.keyPath ?? '?'}${stored ? ', passphrase stored' : ''}`;
}

function HopLine({ label, hop, stored }: { label: string; hop: SshHopFields; stored: boolean }) {
  return (
    <Stack gap={2}>
      <Text size="sm">
        <b>{label}</b>{' '}
        <Text span ff="monospace" size="sm">
          {hopAddress(hop)}
        </Text>{' '}
        — {authText(hop, stored)}
      </Text>
      <Text size="sm" c={hop.hostKey ? undefined : 'orange'}>
        Host key:{' '}
        {hop.hostKey ? (
          <>
            {keyTypeLabel(hop.hostKey.type)} <Code>{hop.hostKey.fingerprint}</Code> (pinned)
          </>
        ) : (
          'not pinned yet — the next connection test shows the fingerprint to confirm'
        )}
      </Text>
    </Stack>
  );
}

export function SshDetail({ profile }: { profile: Profile }) {
  const ssh = profile.ssh;
  if (!ssh) return null;
  return (
    <Paper withBorder p="md" component="section" aria-label="SSH tunnel">
      <Stack gap="xs">
        <Group gap="xs">
          <IconLock size={16} />
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            SSH route
          </Text>
        </Group>
        <Text size="sm" ff="monospace" aria-label="SSH route">
          this machine → {sshRoute(profile)}
        </Text>
        {ssh.jump ? <HopLine label="Jump host" hop={ssh.jump} stored={profile.hasJumpSecret} /> : null}
        <HopLine label="Bastion" hop={ssh} stored={profile.hasSshSecret} />
        <Text size="xs" c="dimmed">
          Keepalive every {ssh.keepaliveIntervalSec === 0 ? '— (off)' : `${ssh.keepaliveIntervalSec} s`}. The database address is as the bastion sees it.
        </Text>
      </Stack>
    </Paper>
  );
}
