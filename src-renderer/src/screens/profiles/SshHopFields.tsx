// The fields of one SSH hop (the bastion, or the jump host in front of it).
import { Group, PasswordInput, Radio, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { SSH_AUTH_KINDS, type AppInfo, type SshAuthKind } from '@contract/models';
import { keyTypeLabel, pinStillApplies, SSH_AUTH_LABELS, type SshHopForm } from './ssh-form-model';

/** Where a key passphrase / SSH password goes, in the words of the mode the app runs in. */
function secretHelp(mode: AppInfo['mode'] | undefined, backend: string | undefined, auth: SshAuthKind, stored: boolean): string {
  const what = auth === 'password' ? 'The SSH password.' : 'Only if the key file is encrypted.';
  const where =
    mode === 'browser'
      ? ' Browser mode keeps it in memory for this session only; you will enter it again after a restart.'
      : ` Kept in the OS keychain (${backend ?? 'system secret store'}), never in the profile or a plaintext file.`;
  return what + where + (stored ? ' Leave empty to keep the stored one.' : '');
}

export interface HopFieldsProps {
  hop: SshHopForm;
  onChange: (patch: Partial<SshHopForm>) => void;
  /** Field messages keyed by the field name inside this hop ("port", "keyPath"). */
  errors: Record<string, string | undefined>;
  /** "SSH" for the bastion, "Jump host" for the extra hop: prefixes every label. */
  label: 'SSH' | 'Jump host';
  storedSecret: boolean;
  info: AppInfo | null;
}

export function SshHopFields({ hop, onChange, errors, label, storedSecret, info }: HopFieldsProps) {
  const name = (field: string) => (label === 'SSH' ? `SSH ${field}` : `Jump host ${field}`);
  const secretLabel = label === 'SSH' ? 'SSH password or key passphrase' : 'Jump host password or key passphrase';
  const pinMoved = hop.hostKey !== null && !pinStillApplies(hop);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label={label === 'SSH' ? 'SSH host' : 'Jump host'}
          required
          value={hop.host}
          onChange={(e) => onChange({ host: e.currentTarget.value })}
          error={errors.host}
          spellCheck={false}
          autoComplete="off"
        />
        <TextInput
          label={name('port')}
          required
          inputMode="numeric"
          value={hop.port}
          onChange={(e) => onChange({ port: e.currentTarget.value })}
          error={errors.port}
        />
        <TextInput
          label={name('user')}
          required
          value={hop.user}
          onChange={(e) => onChange({ user: e.currentTarget.value })}
          error={errors.user}
          spellCheck={false}
          autoComplete="off"
        />
      </SimpleGrid>
      <Radio.Group label={name('authentication')} value={hop.auth} onChange={(v) => onChange({ auth: v as SshAuthKind })} error={errors.auth}>
        <Group gap="lg" mt={6}>
          {SSH_AUTH_KINDS.map((kind) => (
            <Radio key={kind} value={kind} label={SSH_AUTH_LABELS[kind]} />
          ))}
        </Group>
      </Radio.Group>
      {hop.auth === 'key' ? (
        <TextInput
          label={name('key file')}
          description="Path to the private key (OpenSSH or PEM format), e.g. ~/.ssh/id_ed25519"
          required
          value={hop.keyPath}
          onChange={(e) => onChange({ keyPath: e.currentTarget.value })}
          error={errors.keyPath}
          spellCheck={false}
          autoComplete="off"
        />
      ) : null}
      {hop.auth === 'agent' ? (
        <TextInput
          label={name('agent socket')}
          description="Empty: the SSH_AUTH_SOCK of the process running Ops Console"
          value={hop.agentSocket}
          onChange={(e) => onChange({ agentSocket: e.currentTarget.value })}
          error={errors.agentSocket}
          spellCheck={false}
          autoComplete="off"
        />
      ) : null}
      {hop.auth !== 'agent' ? (
        <PasswordInput
          label={secretLabel}
          description={secretHelp(info?.mode, info?.secretStore.backend, hop.auth, storedSecret)}
          required={hop.auth === 'password' && !storedSecret}
          value={hop.secret}
          onChange={(e) => onChange({ secret: e.currentTarget.value })}
          error={errors.secret}
          autoComplete="new-password"
        />
      ) : null}
      {hop.hostKey && !pinMoved ? (
        <Text size="xs" c="dimmed">
          Pinned host key: {keyTypeLabel(hop.hostKey.type)} <code>{hop.hostKey.fingerprint}</code>
        </Text>
      ) : null}
      {pinMoved && hop.hostKey ? (
        <Text size="xs" c="orange">
          The address changed: the pinned key {hop.hostKey.fingerprint} will be dropped, and the next connection test asks you to trust the new host's key.
        </Text>
      ) : null}
    </Stack>
  );
}
