// Cross-check (issue #18): storage.objects, read from the profile's database, against what
// the buckets list — objects the database knows but the bucket lacks, objects in a bucket
// with no row (the runbook's "orphaned images"), and sizes that disagree.
import { Alert, Badge, Loader, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Profile } from '@contract/models';
import type { StorageCheckResult } from '@contract/storage';
import { api } from '../../../shared/api/client';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes, formatCount } from '../../../shared/format/numbers';

function KeyList({ label, rows }: { label: string; rows: Array<{ bucket: string; key: string; size: string }> }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {label}{' '}
        <Badge variant="light" color={rows.length === 0 ? 'green' : 'yellow'}>
          {formatCount(rows.length)}
        </Badge>
      </Text>
      {rows.length > 0 ? (
        <ScrollArea.Autosize mah={200}>
          <Table withTableBorder striped aria-label={label} verticalSpacing={2}>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={`${r.bucket}/${r.key}`}>
                  <Table.Td>{r.bucket}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{r.key}</Table.Td>
                  <Table.Td ta="right">{r.size}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      ) : null}
    </Stack>
  );
}

export function CrossCheckModal({ profile, onClose }: { profile: Profile | null; onClose: () => void }) {
  const [result, setResult] = useState<StorageCheckResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    setResult(null);
    setError(null);
    if (!profile) return;
    let live = true;
    api.checkStorage({ profileId: profile.id }).then(
      (r) => live && setResult(r),
      (err: unknown) => live && setError(toShownError(err)),
    );
    return () => {
      live = false;
    };
  }, [profile]);
  return (
    <Modal opened={profile !== null} onClose={onClose} size="xl" title={profile ? `Cross-check of ${profile.name}: database and buckets` : ''}>
      <Stack gap="sm">
        {error ? <ErrorAlert title="The cross-check could not run" error={error} /> : null}
        {!result && !error ? <Loader size="sm" aria-label="Comparing storage.objects with the buckets" /> : null}
        {result ? (
          <>
            <Text size="sm">
              {formatCount(result.databaseObjects)} rows in storage.objects · {formatCount(result.bucketObjects)} objects in{' '}
              {result.buckets.join(', ') || 'no bucket'}
            </Text>
            {result.ok ? <Alert color="green" variant="light" title="They agree: every row has its object, every object its row, sizes match" /> : null}
            <KeyList
              label="In the database but not in the bucket"
              rows={result.missingInBucket.map((r) => ({ ...r, size: r.size === null ? '—' : formatBytes(r.size) }))}
            />
            <KeyList label="In the bucket without a row" rows={result.missingInDatabase.map((r) => ({ ...r, size: formatBytes(r.size) }))} />
            <KeyList
              label="Size mismatches"
              rows={result.sizeMismatches.map((r) => ({
                bucket: r.bucket,
                key: r.key,
                size: `database ${formatBytes(r.databaseSize)}, bucket ${formatBytes(r.bucketSize)}`,
              }))}
            />
            {result.truncated ? (
              <Text size="xs" c="dimmed">
                Lists are cut at 1,000 entries; the counts are whole.
              </Text>
            ) : null}
          </>
        ) : null}
      </Stack>
    </Modal>
  );
}
