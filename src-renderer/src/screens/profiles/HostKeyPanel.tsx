// The decision a connection test could not take alone: trust a bastion's host key seen for
// the first time, or (loudly) refuse a changed one until someone deliberately replaces the pin.
import { Alert, Button, Checkbox, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type ReactNode } from 'react';
import type { HostKeyDecision, Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconAlert, IconCheck, IconLock } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { keyTypeLabel } from './ssh-form-model';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';

/** A fingerprint that stays legible on the filled red alert (Code would be white on white). */
function Fingerprint({ value }: { value: string }) {
  return (
    <Text span ff="monospace" fw={700} px={4} style={{ background: 'rgba(0, 0, 0, 0.28)', borderRadius: 4, wordBreak: 'break-all' }}>
      {value}
    </Text>
  );
}

/** A named region around the alert: Mantine names an Alert by its title, not by aria-label. */
function DecisionRegion({ children }: { children: ReactNode }) {
  return <section aria-label="Host key decision">{children}</section>;
}

function hopName(decision: HostKeyDecision): string {
  return decision.hop === 'jump' ? 'jump host' : 'bastion';
}

function useTrust(profile: Profile, decision: HostKeyDecision, onTrusted: () => void) {
  const { reloadProfiles } = useAppState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  async function trust(replace: boolean, confirmName?: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await api.trustHostKey({ id: profile.id, hop: decision.hop, pin: decision.presented, replace, ...(confirmName !== undefined ? { confirmName } : {}) });
      await reloadProfiles();
      notifications.show({
        color: 'teal',
        title: 'Host key pinned',
        message: `${decision.presented.fingerprint} is now pinned for the ${hopName(decision)} of “${profile.name}”.`,
        icon: <IconCheck size={16} />,
      });
      onTrusted();
      return true;
    } catch (err) {
      setError(toShownError(err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, trust };
}

function ReplacePinModal({
  profile,
  decision,
  opened,
  onClose,
  onConfirm,
  busy,
  error,
}: {
  profile: Profile;
  decision: HostKeyDecision;
  opened: boolean;
  onClose: () => void;
  onConfirm: (confirmName?: string) => void;
  busy: boolean;
  error: ShownError | null;
}) {
  const [typed, setTyped] = useState('');
  const [checked, setChecked] = useState(false);
  const needsName = profile.env === 'production';
  const confirmed = needsName ? typed === profile.name : checked;
  return (
    <Modal opened={opened} onClose={onClose} title={`Replace the pinned host key of “${profile.name}”?`} centered size="lg">
      <Stack gap="md">
        <Text size="sm">
          Only do this when the server&apos;s administrator confirms that the {hopName(decision)} {decision.host}:{decision.port} got a new key. This is
          recorded in the audit trail.
        </Text>
        <div>
          <Text size="sm">
            Pinned now: <Code>{decision.expected ?? 'unknown'}</Code>
          </Text>
          <Text size="sm">
            New key: {keyTypeLabel(decision.presented.type)} <Code>{decision.presented.fingerprint}</Code>
          </Text>
        </div>
        {needsName ? (
          <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} />
        ) : (
          <Checkbox
            label="I confirmed the new fingerprint with the server's administrator"
            checked={checked}
            onChange={(e) => setChecked(e.currentTarget.checked)}
          />
        )}
        {error ? <ErrorAlert title="The pin was not replaced" error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" disabled={!confirmed} loading={busy} onClick={() => onConfirm(needsName ? typed : undefined)}>
            Replace pinned key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function HostKeyPanel({ profile, decision, onTrusted }: { profile: Profile; decision: HostKeyDecision; onTrusted: () => void }) {
  const { busy, error, trust } = useTrust(profile, decision, onTrusted);
  const [replacing, setReplacing] = useState(false);
  const type = keyTypeLabel(decision.presented.type);
  const where = `${decision.host}:${decision.port}`;

  if (decision.status === 'unknown') {
    return (
      <DecisionRegion>
        <Alert color="orange" variant="light" icon={<IconLock />} title={`Unknown host key for the ${hopName(decision)} ${where}`}>
          <Stack gap="sm">
            <Text size="sm">
              The {hopName(decision)} presented {type} key <Code fz="sm">{decision.presented.fingerprint}</Code> — confirm it with the server&apos;s
              administrator before trusting it.
            </Text>
            {decision.knownHosts ? <Text size="sm">This key is also listed in your ~/.ssh/known_hosts for this host.</Text> : null}
            <Text size="xs" c="dimmed">
              Nothing was sent to the {hopName(decision)} yet: no login was attempted. Once trusted, the key is pinned in this profile and any change refuses
              the connection.
            </Text>
            {error ? <ErrorAlert title="The key was not pinned" error={error} /> : null}
            <Group>
              <Button color="orange" loading={busy} onClick={() => void trust(false)}>
                Trust this key
              </Button>
            </Group>
          </Stack>
        </Alert>
      </DecisionRegion>
    );
  }

  const revoked = decision.status === 'revoked';
  return (
    <DecisionRegion>
      <Alert color="red" variant="filled" icon={<IconAlert />} title={revoked ? 'HOST KEY REVOKED' : 'REMOTE HOST KEY CHANGED'}>
        <Stack gap="sm">
          {revoked ? (
            <Text size="sm">
              The {hopName(decision)} {where} presented {type} key <Fingerprint value={decision.presented.fingerprint} />, which your ~/.ssh/known_hosts marks
              as revoked. The connection was refused. It cannot be trusted from here.
            </Text>
          ) : (
            <>
              <Text size="sm">
                The {hopName(decision)} {where} presented {type} key <Fingerprint value={decision.presented.fingerprint} />, but this profile pinned{' '}
                <Fingerprint value={decision.expected ?? 'another key'} />. The connection was refused.
              </Text>
              <Text size="sm" fw={700}>
                Someone may be intercepting the connection (man-in-the-middle), or the server was reinstalled. Ask the server&apos;s administrator before doing
                anything.
              </Text>
            </>
          )}
          {/* The core's message is laid out like OpenSSH's own warning: keep its lines. */}
          {decision.message ? (
            <Text size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
              {decision.message}
            </Text>
          ) : null}
          {!revoked ? (
            <Group>
              <Button variant="white" color="red" onClick={() => setReplacing(true)}>
                Replace pinned key…
              </Button>
            </Group>
          ) : null}
        </Stack>
        <ReplacePinModal
          profile={profile}
          decision={decision}
          opened={replacing}
          onClose={() => setReplacing(false)}
          busy={busy}
          error={error}
          onConfirm={(confirmName) => {
            void trust(true, confirmName).then((ok) => {
              if (ok) setReplacing(false);
            });
          }}
        />
      </Alert>
    </DecisionRegion>
  );
}
