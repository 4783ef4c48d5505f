// "SSH tunnel" part of the profile form: off by default; when on, the bastion hop, an
// optional jump host, the keepalive, and an import from ~/.ssh/config.
import { Alert, Button, Fieldset, Group, List, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { AppInfo, Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconInfo } from '../../shared/components/icons';
import { fieldErrorsOf, toShownError, type ShownError } from '../../shared/state/errors';
import { SshHopFields } from './SshHopFields';
import { applySshImport, type SshForm, type SshHopForm } from './ssh-form-model';

/** The messages of one hop, from form keys like "ssh.jump.port" (and the secret's own key). */
function hopErrors(errors: Record<string, string>, prefix: string, secretKey: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, message] of Object.entries(errors)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (!rest.includes('.')) out[rest] = message;
  }
  if (errors[secretKey]) out.secret = errors[secretKey];
  return out;
}

export interface SshSectionProps {
  value: SshForm;
  onChange: (update: (ssh: SshForm) => SshForm) => void;
  errors: Record<string, string>;
  /** Drops the messages of fields the user just changed (keys as in `errors`). */
  clearErrors: (keys: string[]) => void;
  editing: Profile | null;
  info: AppInfo | null;
}

export function SshSection({ value, onChange, errors, clearErrors, editing, info }: SshSectionProps) {
  const [alias, setAlias] = useState('');
  const [aliasError, setAliasError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<{ alias: string; file: string; warnings: string[] } | null>(null);
  const [failure, setFailure] = useState<ShownError | null>(null);

  function patchHop(which: 'bastion' | 'jump', patch: Partial<SshHopForm>) {
    onChange((s) => (which === 'bastion' ? { ...s, ...patch } : { ...s, jump: { ...s.jump, ...patch } }));
    const prefix = which === 'bastion' ? 'ssh.' : 'ssh.jump.';
    clearErrors(Object.keys(patch).map((k) => (k === 'secret' ? (which === 'bastion' ? 'sshSecret' : 'jumpSecret') : `${prefix}${k}`)));
  }

  async function importHost() {
    setAliasError(null);
    setFailure(null);
    if (alias.trim() === '') {
      setAliasError('Type the Host alias, as you would after `ssh`');
      return;
    }
    setImporting(true);
    try {
      const result = await api.importSshConfigHost({ alias: alias.trim() });
      onChange((s) => applySshImport(s, result.ssh));
      clearErrors(Object.keys(errors).filter((k) => k.startsWith('ssh.')));
      setImported({ alias: alias.trim(), file: result.file, warnings: result.warnings });
    } catch (err) {
      const fields = fieldErrorsOf(err);
      const shown = toShownError(err);
      // "No Host entry named …" belongs next to the alias the user typed.
      if (fields.alias) setAliasError(fields.alias);
      else if (shown.code === 'NOT_FOUND') setAliasError(shown.message);
      else setFailure(shown);
    } finally {
      setImporting(false);
    }
  }

  return (
    <Stack gap="sm" role="group" aria-label="SSH tunnel">
      <Title order={3} size="h5">
        SSH tunnel
      </Title>
      <Switch
        label="Connect through an SSH bastion"
        description="Every connection to this database (queries, tests, pg_dump, psql) goes through an SSH tunnel. The bastion's host key is verified, never accepted blindly."
        checked={value.enabled}
        onChange={(e) => {
          const checked = e.currentTarget.checked;
          onChange((s) => ({ ...s, enabled: checked }));
        }}
      />
      {value.enabled ? (
        <Stack gap="sm" pl="md" style={{ borderLeft: '3px solid var(--mantine-color-default-border)' }}>
          <Group align="flex-start" gap="sm" wrap="nowrap">
            <TextInput
              label="Host alias in ~/.ssh/config"
              description="Fills host, user, port, key file and jump host (ProxyJump) from that Host entry."
              placeholder="bastion-prod"
              value={alias}
              onChange={(e) => setAlias(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void importHost();
                }
              }}
              error={aliasError}
              style={{ flex: 1 }}
              maw={420}
              spellCheck={false}
              autoComplete="off"
            />
            <Button mt={44} variant="light" onClick={() => void importHost()} loading={importing}>
              Import from ~/.ssh/config
            </Button>
          </Group>
          {imported ? (
            <Alert
              color={imported.warnings.length > 0 ? 'yellow' : 'teal'}
              variant="light"
              icon={<IconInfo />}
              title={`Filled from Host ${imported.alias} in ${imported.file}`}
              withCloseButton
              closeButtonLabel="Dismiss"
              onClose={() => setImported(null)}
            >
              {imported.warnings.length > 0 ? (
                <List size="sm" spacing={4}>
                  {imported.warnings.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              ) : (
                <Text size="sm">Check the SSH fields below. A password or key passphrase is never read from the config: type it if needed.</Text>
              )}
            </Alert>
          ) : null}
          {failure ? <ErrorAlert title="Nothing imported from ~/.ssh/config" error={failure} onClose={() => setFailure(null)} /> : null}

          <SshHopFields
            hop={value}
            label="SSH"
            info={info}
            storedSecret={editing?.hasSshSecret ?? false}
            errors={hopErrors(errors, 'ssh.', 'sshSecret')}
            onChange={(patch) => patchHop('bastion', patch)}
          />

          <Switch
            label="Reach the bastion through a jump host"
            description="One extra hop in front of the bastion, like ssh -J / ProxyJump."
            checked={value.jumpEnabled}
            onChange={(e) => {
              const checked = e.currentTarget.checked;
              onChange((s) => ({ ...s, jumpEnabled: checked }));
            }}
          />
          {value.jumpEnabled ? (
            <Fieldset legend="Jump host" variant="filled">
              <SshHopFields
                hop={value.jump}
                label="Jump host"
                info={info}
                storedSecret={editing?.hasJumpSecret ?? false}
                errors={hopErrors(errors, 'ssh.jump.', 'jumpSecret')}
                onChange={(patch) => patchHop('jump', patch)}
              />
            </Fieldset>
          ) : null}

          <TextInput
            label="Keepalive interval (seconds)"
            description="How often the tunnel checks the link, to notice a dead bastion. 0 turns it off."
            inputMode="numeric"
            maw={320}
            value={value.keepaliveIntervalSec}
            onChange={(e) => {
              const text = e.currentTarget.value;
              onChange((s) => ({ ...s, keepaliveIntervalSec: text }));
              clearErrors(['ssh.keepaliveIntervalSec']);
            }}
            error={errors['ssh.keepaliveIntervalSec']}
          />
          <Text size="xs" c="dimmed">
            Host and port in Connection above are the database as the bastion sees it (often 127.0.0.1 or a private address).
          </Text>
        </Stack>
      ) : null}
    </Stack>
  );
}
