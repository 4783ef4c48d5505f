// Delete (with a preview of what goes, and a typed name for production) and Duplicate.
import { Button, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { fieldErrorsOf, toShownError, type ShownError } from '../../shared/state/errors';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';

export function DeleteProfileModal({ profile, opened, onClose, onRemoved }: { profile: Profile; opened: boolean; onClose: () => void; onRemoved: () => void }) {
  const { reloadProfiles } = useAppState();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const needsName = profile.env === 'production';
  const confirmed = !needsName || typed === profile.name;

  function close() {
    setTyped('');
    setError(null);
    onClose();
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.removeProfile({ id: profile.id, ...(needsName ? { confirmName: typed } : {}) });
      await reloadProfiles();
      notifications.show({ color: 'gray', title: 'Profile deleted', message: `“${profile.name}” was deleted.` });
      setTyped('');
      onRemoved();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={`Delete profile “${profile.name}”?`} centered size="lg">
      <Stack gap="md">
        <Group gap="xs">
          <Text size="sm">Environment:</Text>
          <EnvBadge env={profile.env} />
        </Group>
        <div>
          <Text size="sm" fw={600} mb={4}>
            This removes from Ops Console:
          </Text>
          <List size="sm" spacing={4}>
            <List.Item>
              the profile <b>{profile.name}</b> ({profile.user}@{profile.host}:{profile.port}/{profile.database})
            </List.Item>
            <List.Item>{profile.hasSecret ? 'its stored password' : 'no stored password (none was kept)'}</List.Item>
            <List.Item>
              {profile.contacts.length} emergency contact{profile.contacts.length === 1 ? '' : 's'} and its notes
            </List.Item>
          </List>
          <Text size="sm" c="dimmed" mt="xs">
            The database itself is not touched. The audit trail keeps every entry that names this profile.
          </Text>
        </div>
        {needsName ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
        {error ? <ErrorAlert title="The profile was not deleted" error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void remove()} disabled={!confirmed} loading={busy}>
            Delete profile
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function DuplicateProfileModal({
  profile,
  opened,
  onClose,
  onDuplicated,
}: {
  profile: Profile;
  opened: boolean;
  onClose: () => void;
  onDuplicated: (copy: Profile) => void;
}) {
  const { reloadProfiles } = useAppState();
  const [name, setName] = useState(`${profile.name}-copy`);
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);

  async function duplicate() {
    setBusy(true);
    setNameError(null);
    setError(null);
    try {
      const copy = await api.duplicateProfile({ id: profile.id, name });
      await reloadProfiles();
      notifications.show({ color: 'teal', title: 'Profile duplicated', message: `“${copy.name}” is a copy of “${profile.name}” (without its password).` });
      onDuplicated(copy);
    } catch (err) {
      const fields = fieldErrorsOf(err);
      if (fields.name) setNameError(fields.name);
      else setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`Duplicate “${profile.name}”`} centered>
      <Stack gap="md">
        <TextInput label="Name of the copy" value={name} onChange={(e) => setName(e.currentTarget.value)} error={nameError} data-autofocus autoComplete="off" />
        <Text size="xs" c="dimmed">
          Every field is copied, including the environment and read-only setting.
        </Text>
        {error ? <ErrorAlert title="Not duplicated" error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void duplicate()} loading={busy}>
            Duplicate
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
