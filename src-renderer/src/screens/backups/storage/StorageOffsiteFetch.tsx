// The restore dialog's first step for a snapshot whose folder is not on this computer (written
// straight offsite, or removed): fetch it back from its offsite copy — every object downloaded,
// decrypted when encrypted (a wrong key is refused before anything is downloaded), checked
// against the manifest — with progress and Cancel. Only then are its objects listed to choose
// from and previewed, as for any snapshot.
import { Alert, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { OffsiteProgressEvent } from '@contract/offsite';
import type { StorageSnapshotEntry } from '@contract/storage';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatDuration } from '../../../shared/format/time';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { storageApi } from './storage-api';

interface FetchState {
  busy: boolean;
  progress: OffsiteProgressEvent | null;
  done: { objects: number; bytes: number; destination: string } | null;
  error: ShownError | null;
  cancelling: boolean;
}

const IDLE: FetchState = { busy: false, progress: null, done: null, error: null, cancelling: false };

/** `ready`: the snapshot can be read (its folder is there, or it was fetched). */
export function useSnapshotFetch(entry: StorageSnapshotEntry | null) {
  const [state, setState] = useState<FetchState>(IDLE);
  const id = entry?.id ?? null;
  useEffect(() => setState(IDLE), [id]);
  const start = useCallback(async () => {
    if (id === null) return;
    setState({ ...IDLE, busy: true });
    try {
      const r = await storageApi.fetchFromOffsite(id, (progress) => setState((s) => ({ ...s, progress })));
      setState({ ...IDLE, done: { objects: r.objects, bytes: r.bytes, destination: r.destination } });
    } catch (err) {
      setState({ ...IDLE, error: toShownError(err) });
    }
  }, [id]);
  const cancel = useCallback(() => {
    if (id === null) return;
    setState((s) => ({ ...s, cancelling: true }));
    storageApi.cancelFetch(id).catch((err: unknown) => setState((s) => ({ ...s, error: toShownError(err) })));
  }, [id]);
  const needed = entry?.folderGone === true;
  return { state, start, cancel, needed, ready: !needed || state.done !== null };
}

export function FetchFromOffsite({ fetch }: { fetch: ReturnType<typeof useSnapshotFetch> }) {
  const { state, start, cancel } = fetch;
  const { progress } = state;
  const pct = progress && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : 0;
  return (
    <Paper withBorder p="sm" component="section" aria-label="Fetch from offsite">
      <Stack gap={6}>
        {state.done ? (
          <Alert color="green" variant="light" title="Fetched from offsite and verified">
            {formatCount(state.done.objects)} objects from {state.done.destination}
            {state.done.bytes > 0 ? ` (${formatBytes(state.done.bytes)} downloaded)` : ' (already fetched)'}: every sha256 matched the manifest.
          </Alert>
        ) : (
          <>
            <Text size="sm">
              This snapshot lives only offsite: its folder is not on this computer. Fetch it back first — every object is downloaded, decrypted if the copy is
              encrypted, and checked against the manifest before anything can be restored.
            </Text>
            {state.busy ? (
              <>
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm" fw={600} role="status">
                    {progress ? `Fetching: ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}` : 'Reading the offsite manifest…'}
                    {progress?.etaSeconds ? ` · about ${formatDuration(progress.etaSeconds * 1000)} left` : ''}
                  </Text>
                  <Button size="xs" variant="default" color="red" onClick={cancel} loading={state.cancelling}>
                    Cancel fetch
                  </Button>
                </Group>
                <Progress value={pct} aria-label="Fetch progress" animated />
              </>
            ) : (
              <Group>
                <Button variant="light" onClick={() => void start()}>
                  Fetch from offsite
                </Button>
              </Group>
            )}
          </>
        )}
        {state.error ? (
          <ErrorAlert
            title={state.error.code === 'CANCELLED' ? 'The fetch was cancelled: nothing was restored' : 'The fetch failed: nothing was restored'}
            error={state.error}
          />
        ) : null}
      </Stack>
    </Paper>
  );
}
