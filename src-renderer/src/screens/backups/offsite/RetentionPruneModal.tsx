// A destination's retention (keep the last N, plus daily/weekly/monthly, per profile and
// kind) and its prune: the preview first (what would be deleted, and why each other copy
// stays), then the prune itself; deleting a production profile's copy needs the
// destination's name typed, which the core checks again.
import { Badge, Button, Group, List, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { OffsiteDestination, PruneResult } from '@contract/offsite';
import { api } from '../../../shared/api/client';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatTime } from '../../../shared/format/time';

type Policy = NonNullable<OffsiteDestination['retention']>;
const NO_POLICY: Policy = { keepLast: 7, keepDaily: 7, keepWeekly: 4, keepMonthly: 6 };
const FIELDS: Array<[keyof Policy, string]> = [
  ['keepLast', 'Keep last'],
  ['keepDaily', 'Daily'],
  ['keepWeekly', 'Weekly'],
  ['keepMonthly', 'Monthly'],
];

export function RetentionPruneModal({
  destination,
  onClose,
  onChanged,
}: {
  destination: OffsiteDestination | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [policy, setPolicy] = useState<Policy>(NO_POLICY);
  const [preview, setPreview] = useState<PruneResult | null>(null);
  const [done, setDone] = useState<PruneResult | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    setPolicy(destination?.retention ?? NO_POLICY);
    setPreview(null);
    setDone(null);
    setTyped('');
    setError(null);
  }, [destination]);
  if (!destination) return null;
  const name = destination.name;
  const production = preview?.prune.some((p) => p.production) ?? false;

  async function step(run: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }
  const save = () =>
    step(async () => {
      await api.setOffsiteRetention({ id: destination.id, policy });
      setPreview(await api.pruneOffsite({ destination: name, dryRun: true }));
      onChanged();
    });
  const prune = () =>
    step(async () => {
      setDone(await api.pruneOffsite({ destination: name, dryRun: false, ...(production ? { confirmName: typed } : {}) }));
      setPreview(null);
      onChanged();
    });

  return (
    <Modal opened onClose={onClose} size="lg" title={`Retention of ${name}`}>
      <Stack gap="sm">
        <Text size="sm">Per profile and kind of backup: the newest copies, then the newest of each day, week and month. A copy kept by any rule stays.</Text>
        <Group grow>
          {FIELDS.map(([key, label]) => (
            <NumberInput
              key={key}
              label={label}
              min={0}
              max={1000}
              value={policy[key]}
              onChange={(v) => setPolicy((p) => ({ ...p, [key]: typeof v === 'number' ? v : 0 }))}
            />
          ))}
        </Group>
        <Group>
          <Button variant="light" onClick={() => void save()} loading={busy && !preview}>
            Save and preview prune
          </Button>
        </Group>
        {preview ? (
          <section aria-label="Prune preview">
            <Stack gap={6}>
              <Text size="sm" fw={600}>
                {preview.prune.length === 0 ? 'Nothing to delete: every copy is kept.' : `${preview.prune.length} copies would be deleted:`}
              </Text>
              <List size="sm" spacing={2}>
                {preview.prune.map((p) => (
                  <List.Item key={p.copyId}>
                    {p.profile} · {p.kind} · {formatTime(p.createdAt)} · {p.key} {p.production ? <Badge color="red">production</Badge> : null}
                  </List.Item>
                ))}
              </List>
              <Text size="sm" fw={600}>
                {preview.keep.length} kept:
              </Text>
              <List size="sm" spacing={2}>
                {preview.keep.map((k) => (
                  <List.Item key={k.copyId}>
                    {k.profile} · {k.kind} · {formatTime(k.createdAt)}: {k.reasons.join(', ')}
                  </List.Item>
                ))}
              </List>
              {production ? (
                <TextInput
                  label={`Type the destination's name (${name}) to delete production copies`}
                  value={typed}
                  onChange={(e) => setTyped(e.currentTarget.value)}
                  autoComplete="off"
                />
              ) : null}
              {preview.prune.length > 0 ? (
                <Group>
                  <Button color="red" onClick={() => void prune()} disabled={production && typed !== name} loading={busy}>
                    Prune {preview.prune.length} copies
                  </Button>
                </Group>
              ) : null}
            </Stack>
          </section>
        ) : null}
        {done ? (
          <Text size="sm" role="status">
            Pruned: {done.deletedKeys.length} objects deleted from {done.destination}.
          </Text>
        ) : null}
        {error ? <ErrorAlert title="That did not work" error={error} /> : null}
      </Stack>
    </Modal>
  );
}
