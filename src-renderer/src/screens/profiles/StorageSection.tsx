// "Supabase Storage (S3)" part of the profile form, collapsed until wanted: the S3 endpoint,
// region, access key id and secret (kept in the secret store, never in the profile), the
// addressing style, and a "Test storage" button that lists the buckets the key can see.
import { Alert, Button, Checkbox, Collapse, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { AppInfo, Profile, StorageTestResult } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { hasStorage, storageToInput, type StorageForm } from './storage-form-model';

export interface StorageSectionProps {
  value: StorageForm;
  onChange: (update: (storage: StorageForm) => StorageForm) => void;
  /** Form errors keyed like the core's ("storage.endpoint", "storageSecret"). */
  errors: Record<string, string>;
  clearErrors: (keys: string[]) => void;
  editing: Profile | null;
  info: AppInfo | null;
}

function secretHelp(info: AppInfo | null, editing: Profile | null): string {
  const where =
    info?.mode === 'browser'
      ? 'Kept only in the memory of the local server for this session.'
      : `Kept in the secret store (${info?.secretStore.backend ?? 'the system secret store'}), never in the profile or a plaintext file.`;
  return editing?.hasStorageSecret ? `${where} Leave empty to keep the saved one.` : where;
}

export function StorageSection({ value, onChange, errors, clearErrors, editing, info }: StorageSectionProps) {
  const [opened, setOpened] = useState(() => hasStorage(value));
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<StorageTestResult | null>(null);
  const [failure, setFailure] = useState<ShownError | null>(null);

  function patch(p: Partial<StorageForm>) {
    onChange((s) => ({ ...s, ...p }));
    clearErrors(Object.keys(p).map((k) => (k === 'secret' ? 'storageSecret' : `storage.${k}`)));
    setResult(null);
  }

  async function test() {
    setResult(null);
    setFailure(null);
    const { storage, storageSecret } = storageToInput(value);
    if (!storage) {
      setFailure({ code: 'INVALID_INPUT', message: 'Fill in the endpoint and the access key id first.' });
      return;
    }
    setTesting(true);
    try {
      // The form's settings as typed; a saved profile supplies its saved secret when none is typed.
      setResult(await api.testStorageConnection({ storage, ...(editing ? { profileId: editing.id } : {}), ...(storageSecret ? { storageSecret } : {}) }));
    } catch (err) {
      setFailure(toShownError(err));
    } finally {
      setTesting(false);
    }
  }

  return (
    <Stack gap="sm" role="group" aria-label="Supabase Storage (S3)">
      <Group justify="space-between">
        <Title order={3} size="h5">
          Supabase Storage (S3)
        </Title>
        <Button variant="subtle" size="xs" onClick={() => setOpened((o) => !o)} aria-expanded={opened}>
          {opened ? 'Hide' : hasStorage(value) ? 'Show' : 'Add a storage connection'}
        </Button>
      </Group>
      {!opened && hasStorage(value) ? (
        <Text size="sm" c="dimmed">
          {value.endpoint} (key id {value.accessKeyId})
        </Text>
      ) : null}
      <Collapse expanded={opened}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            For storage snapshots of the project&apos;s buckets. In the Supabase dashboard: Storage → S3 Connection gives the endpoint and region; create an
            access key there. Any S3-compatible endpoint works too.
          </Text>
          <TextInput
            label="Endpoint"
            placeholder="https://<project-ref>.supabase.co/storage/v1/s3"
            value={value.endpoint}
            onChange={(e) => patch({ endpoint: e.currentTarget.value })}
            error={errors['storage.endpoint']}
            spellCheck={false}
            autoComplete="off"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Region"
              description="The project's region, e.g. eu-west-2"
              value={value.region}
              onChange={(e) => patch({ region: e.currentTarget.value })}
              error={errors['storage.region']}
              spellCheck={false}
            />
            <TextInput
              label="Access key id"
              value={value.accessKeyId}
              onChange={(e) => patch({ accessKeyId: e.currentTarget.value })}
              error={errors['storage.accessKeyId']}
              spellCheck={false}
              autoComplete="off"
            />
          </SimpleGrid>
          <PasswordInput
            label="Secret access key"
            description={secretHelp(info, editing)}
            value={value.secret}
            onChange={(e) => patch({ secret: e.currentTarget.value })}
            error={errors.storageSecret}
            autoComplete="new-password"
          />
          {editing?.hasStorageSecret ? (
            <Checkbox
              label="Forget the saved secret access key"
              checked={value.forgetSecret}
              onChange={(e) => patch({ forgetSecret: e.currentTarget.checked })}
            />
          ) : null}
          <Checkbox
            label="Path-style addressing (bucket in the path)"
            description="Supabase Storage and MinIO need it; turn off only for a store that wants the bucket in the host name."
            checked={value.forcePathStyle}
            onChange={(e) => patch({ forcePathStyle: e.currentTarget.checked })}
          />
          <Group>
            <Button variant="default" onClick={() => void test()} loading={testing}>
              Test storage
            </Button>
          </Group>
          {result ? (
            <Alert color="teal" variant="light" title={`Storage OK — ${result.endpoint} (${result.ms} ms)`}>
              <Text size="sm">{result.buckets.length > 0 ? `Buckets: ${result.buckets.join(', ')}` : 'No buckets visible to this key.'}</Text>
            </Alert>
          ) : null}
          {failure ? <ErrorAlert title="The storage test failed" error={failure} onClose={() => setFailure(null)} /> : null}
        </Stack>
      </Collapse>
    </Stack>
  );
}
