// The two guards in front of a run: statements that are blocked (no WHERE, TRUNCATE,
// DROP) need an explicit, audited override; writes on production need the profile name
// typed. Both show the exact statements, as they will be sent, never a paraphrase. On a
// read-only production profile, a third: elevate first (ElevateModal).
import { Button, Checkbox, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Profile, StatementPlan } from '@contract/models';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { riskText } from './query-tools';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { api } from '../../shared/api/client';
import { ElevationFields, elevationReady, EMPTY_ELEVATION, type ElevationDraft } from '../../shared/components/ElevationFields';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { elevationRequest } from '../../shared/state/elevation';
import { toShownError, type ShownError } from '../../shared/state/errors';

export interface BlockedItem {
  statement: StatementPlan | undefined;
  index: number;
  reason: string;
}

function StatementBlock({ sql }: { sql: string }) {
  return (
    <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 180, overflow: 'auto' }}>
      {sql.trim()}
    </Code>
  );
}

export function BlockedModal({ items, onCancel, onOverride }: { items: BlockedItem[]; onCancel: () => void; onOverride: () => void }) {
  const [checked, setChecked] = useState(false);
  return (
    <Modal opened onClose={onCancel} title="Blocked: these statements are dangerous" centered size="lg">
      <Stack gap="md">
        <Text size="sm">Nothing has run. These statements are blocked unless you override the guard:</Text>
        {items.map((item) => (
          <Stack key={item.index} gap={4}>
            <Text size="sm" fw={600}>
              Statement {item.index + 1}: {item.statement?.risks.length ? item.statement.risks.map(riskText).join('; ') : item.reason}
            </Text>
            {item.statement?.risks.length ? (
              <Text size="xs" c="dimmed">
                {item.reason}
              </Text>
            ) : null}
            <StatementBlock sql={item.statement?.sql ?? ''} />
          </Stack>
        ))}
        <Checkbox
          checked={checked}
          onChange={(e) => setChecked(e.currentTarget.checked)}
          label="I mean it: run these statements anyway (the override is recorded in the audit trail)"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} data-autofocus>
            Cancel
          </Button>
          <Button color="red" disabled={!checked} onClick={onOverride}>
            Run anyway (override, audited)
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ConfirmWriteModal({
  profile,
  statements,
  onCancel,
  onConfirm,
}: {
  profile: Profile;
  statements: StatementPlan[];
  onCancel: () => void;
  onConfirm: (name: string) => void;
}) {
  const [typed, setTyped] = useState('');
  const confirmed = typed === profile.name;
  return (
    <Modal opened onClose={onCancel} title={`Write to ${profile.name}?`} centered size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (confirmed) onConfirm(typed);
        }}
      >
        <Stack gap="md">
          <Group gap="xs">
            <Text size="sm">Environment:</Text>
            <EnvBadge env={profile.env} />
          </Group>
          <Text size="sm">
            {statements.length === 1 ? 'This statement changes' : `These ${statements.length} statements change`} data or schema on <b>{profile.name}</b>:
          </Text>
          {statements.map((s) => (
            <Stack key={s.index} gap={4}>
              <Text size="sm" fw={600}>
                Statement {s.index + 1}: {s.command} ({s.kind}){s.risks.length ? ` — ${s.risks.map(riskText).join('; ')}` : ''}
              </Text>
              <StatementBlock sql={s.sql} />
            </Stack>
          ))}
          <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button color="red" type="submit" disabled={!confirmed}>
              Run on {profile.name}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function PasswordModal({ profile, onCancel, onSubmit }: { profile: Profile; onCancel: () => void; onSubmit: (password: string) => void }) {
  const [password, setPassword] = useState('');
  return (
    <Modal opened onClose={onCancel} title={`Password for ${profile.name}`} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(password);
        }}
      >
        <Stack gap="md">
          <Text size="sm">
            No password is stored for {profile.user}@{profile.host}. It is used for this run only and not kept.
          </Text>
          <TextInput
            type="password"
            label="Database password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button type="submit">Run</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * A write on a read-only production profile (issue #19): elevate first, in this one dialog
 * (reason, duration, typed name), then the script runs with the same name as its production
 * confirmation. Shown instead of sending a script the read-only rule would refuse.
 */
export function ElevateModal({
  profile,
  refusal,
  statement,
  onCancel,
  onElevated,
}: {
  profile: Profile;
  refusal: { index: number; reason: string };
  statement: StatementPlan | undefined;
  onCancel: () => void;
  onElevated: (confirmName: string) => void;
}) {
  const [typed, setTyped] = useState('');
  const [draft, setDraft] = useState<ElevationDraft>(EMPTY_ELEVATION);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const { reloadProfiles } = useAppState();
  async function elevate() {
    setBusy(true);
    setError(null);
    try {
      await api.elevateProfile({ profileId: profile.id, confirmName: typed, reason: draft.reason, ...elevationRequest(draft.choice) });
      void reloadProfiles().catch(() => undefined);
      onElevated(typed);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened onClose={onCancel} title={`Elevate ${profile.name} to run this?`} centered size="lg">
      <Stack gap="md">
        <Text size="sm">
          Nothing has run. Statement {refusal.index + 1} changes the server: {refusal.reason}.
        </Text>
        {statement ? <StatementBlock sql={statement.sql} /> : null}
        <ElevationFields profile={profile} value={draft} onChange={setDraft} />
        <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} />
        {error ? <ErrorAlert title="Not elevated" error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button color="red" loading={busy} disabled={typed !== profile.name || !elevationReady(draft)} onClick={() => void elevate()}>
            Elevate and run
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
