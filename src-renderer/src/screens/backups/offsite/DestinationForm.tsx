// Add or edit an offsite destination: endpoint, region, bucket, prefix, access key id and
// secret (sent once to the secret store, never shown back: editing leaves it blank, and blank
// keeps the saved one). Enter submits, Esc closes (Mantine's modal and a real form).
import { Alert, Button, Checkbox, Code, CopyButton, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import type { CreatedDestination, OffsiteDestination } from '@contract/offsite';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { api } from '../../../shared/api/client';

interface Fields {
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  encrypt: boolean;
}

function fieldsOf(d: OffsiteDestination | null): Fields {
  return {
    name: d?.name ?? '',
    endpoint: d?.endpoint ?? '',
    region: d?.region ?? 'us-east-1',
    bucket: d?.bucket ?? '',
    prefix: d?.prefix ?? '',
    accessKeyId: d?.accessKeyId ?? '',
    secretAccessKey: '',
    encrypt: d?.encrypt ?? false,
  };
}

export interface DestinationFormProps {
  opened: boolean;
  /** null: a new destination. */
  editing: OffsiteDestination | null;
  onClose: () => void;
  onSaved: (d: OffsiteDestination) => void;
}

export function DestinationForm({ opened, editing, onClose, onSaved }: DestinationFormProps) {
  const [f, setF] = useState<Fields>(() => fieldsOf(editing));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  // A generated encryption key, shown once after the destination is created, until closed.
  const [created, setCreated] = useState<CreatedDestination | null>(null);
  useEffect(() => {
    if (opened) {
      setF(fieldsOf(editing));
      setError(null);
      setCreated(null);
    }
  }, [opened, editing]);
  const set = (key: keyof Fields) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setF((all) => ({ ...all, [key]: value }));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const common = { name: f.name, endpoint: f.endpoint, region: f.region, bucket: f.bucket, prefix: f.prefix, accessKeyId: f.accessKeyId };
      if (editing) {
        onSaved(await api.updateOffsiteDestination({ id: editing.id, ...common, ...(f.secretAccessKey ? { secretAccessKey: f.secretAccessKey } : {}) }));
        return;
      }
      const saved = await api.createOffsiteDestination({ ...common, encrypt: f.encrypt, ...(f.secretAccessKey ? { secretAccessKey: f.secretAccessKey } : {}) });
      if (saved.generatedKey) setCreated(saved);
      else onSaved(saved);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  if (created?.generatedKey) {
    const done = () => {
      setCreated(null);
      onSaved(created);
    };
    return (
      <Modal opened={opened} onClose={done} title={`Encryption key of ${created.name}`} size="lg" closeOnClickOutside={false}>
        <Stack gap="sm">
          <Alert color="red" variant="light" title="Shown once: store it now">
            {created.keyWarning ?? 'Lose this key and every encrypted copy is unreadable: store it in your password manager.'}
          </Alert>
          <Code block aria-label="Encryption key">
            {created.generatedKey}
          </Code>
          <Text size="sm" c="dimmed">
            Key id {created.keyId} (not secret) is what copies and errors name. This window will not show the key again.
          </Text>
          <Group justify="flex-end">
            <CopyButton value={created.generatedKey}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={done}>I have stored the key</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }

  return (
    <Modal opened={opened} onClose={onClose} title={editing ? `Edit destination ${editing.name}` : 'Add an offsite destination'} size="lg">
      <form onSubmit={(e) => void submit(e)} aria-label="Offsite destination">
        <Stack gap="sm">
          <TextInput label="Name" description="What `backups copy ID --to NAME` calls it" value={f.name} onChange={set('name')} required data-autofocus />
          <TextInput label="Endpoint" placeholder="https://s3.eu-central-1.amazonaws.com" value={f.endpoint} onChange={set('endpoint')} required />
          <Group grow>
            <TextInput label="Region" value={f.region} onChange={set('region')} required />
            <TextInput label="Bucket" value={f.bucket} onChange={set('bucket')} required />
          </Group>
          <TextInput label="Prefix" description="Folder inside the bucket; empty for the root" value={f.prefix} onChange={set('prefix')} />
          <TextInput label="Access key id" value={f.accessKeyId} onChange={set('accessKeyId')} required autoComplete="off" />
          <PasswordInput
            label="Secret access key"
            description={editing?.hasSecret ? 'Saved in the secret store: leave empty to keep it' : 'Kept in the secret store, never shown again'}
            value={f.secretAccessKey}
            onChange={set('secretAccessKey')}
            autoComplete="new-password"
          />
          <Checkbox
            label="Encrypt every copy on this machine before upload (AES-256-GCM)"
            checked={f.encrypt}
            disabled={editing !== null}
            onChange={(e) => {
              const checked = e.currentTarget.checked;
              setF((all) => ({ ...all, encrypt: checked }));
            }}
          />
          {f.encrypt && !editing ? (
            <Alert color="yellow" variant="light" title="Losing the key makes every encrypted copy unreadable">
              The key is generated here and kept in this machine’s secret store; the bucket only ever holds ciphertext. Keep a copy of the key somewhere safe
              apart from this laptop: without it no encrypted copy can be restored, by anyone.
            </Alert>
          ) : null}
          {error ? <ErrorAlert title="The destination was not saved" error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {editing ? 'Save' : 'Add destination'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
