// The runbook checklists for the active profile: pick one (morning, evening), run its read
// steps at once, decide each step and sign the run off; past runs are listed below, and can
// be reopened and exported. The core runs, judges, checks the sign-off and audits it.
import { Alert, Button, Group, Paper, PasswordInput, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { Profile } from '../../../../src-main/contract/models';
import type { ChecklistRunRecord, ChecklistRunSummary, ChecklistSummary } from '../../../../src-main/contract/runbook';
import { api, OpsError } from '../../api/client';
import { EnvBadge } from '../../components/EnvBadge';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IconCheck } from '../../components/icons';
import { useAppState } from '../../state/app-state';
import { toShownError, type ShownError } from '../../state/errors';
import { formatTime } from '../../state/format';
import { readSetting, writeSetting } from '../../state/storage';
import { HistoryTable, SavedRunView } from './HistoryPanel';
import { ImportRunbook } from './ImportRunbook';
import { RunPanel, type PendingRun } from './RunPanel';

function useChecklists(): { checklists: ChecklistSummary[]; error: ShownError | null } {
  const [checklists, setChecklists] = useState<ChecklistSummary[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    api.listChecklists({}).then((r) => setChecklists(r.checklists), (err: unknown) => setError(toShownError(err)));
  }, []);
  return { checklists, error };
}

function useHistory(profileId: string) {
  const [runs, setRuns] = useState<ChecklistRunSummary[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const reload = useCallback(async () => {
    try {
      setRuns((await api.listChecklistRuns({ profileId, limit: 100 })).runs);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, [profileId]);
  useEffect(() => {
    setRuns(null);
    void reload();
  }, [reload]);
  return { runs, error, reload };
}

function ChecklistPicker({ checklists, value, onChange }: { checklists: ChecklistSummary[]; value: string; onChange: (id: string) => void }) {
  const chosen = checklists.find((c) => c.id === value);
  return (
    <Stack gap={4}>
      <SegmentedControl aria-label="Checklist" value={value} onChange={onChange} data={checklists.map((c) => ({ value: c.id, label: c.title }))} />
      {chosen ? <Text size="sm" c="dimmed">{chosen.description} {chosen.steps} steps.</Text> : null}
    </Stack>
  );
}

function ProfileChecklists({ profile }: { profile: Profile }) {
  const { checklists, error: listError } = useChecklists();
  const [checklistId, setChecklistId] = useState(() => readSetting('checklists.last') ?? 'morning');
  const [pending, setPending] = useState<PendingRun | null>(null);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<ShownError | null>(null);
  const [askPassword, setAskPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [opened, setOpened] = useState<ChecklistRunRecord | null>(null);
  const [signed, setSigned] = useState<ChecklistRunRecord | null>(null);
  const history = useHistory(profile.id);

  function choose(id: string) {
    setChecklistId(id);
    writeSetting('checklists.last', id);
  }

  async function run(withPassword?: string) {
    setRunning(true);
    setRunError(null);
    setSigned(null);
    try {
      const result = await api.runChecklist({ checklistId, profileId: profile.id, ...(withPassword ? { password: withPassword } : {}) });
      setPending({ profileId: profile.id, result });
      setAskPassword(false);
      setPassword('');
    } catch (err) {
      if (err instanceof OpsError && err.code === 'PASSWORD_REQUIRED') setAskPassword(true);
      else setRunError(toShownError(err));
    } finally {
      setRunning(false);
    }
  }

  async function open(id: string) {
    try {
      setOpened(await api.getChecklistRun({ id }));
    } catch (err) {
      setRunError(toShownError(err));
    }
  }

  function onSigned(saved: ChecklistRunRecord) {
    setPending(null);
    setSigned(saved);
    void history.reload();
  }

  return (
    <Stack gap="md">
      <Group gap="sm">
        <Title order={2}>Checklists</Title>
        <EnvBadge env={profile.env} />
        <Text c="dimmed">{profile.name}</Text>
      </Group>
      {listError ? <ErrorAlert title="The checklists could not be listed" error={listError} /> : null}

      <Paper component="section" withBorder p="md" aria-label="Start a checklist run">
        <Stack gap="sm">
          <ChecklistPicker checklists={checklists} value={checklistId} onChange={choose} />
          {askPassword ? (
            <PasswordInput
              label={`Password for ${profile.user}@${profile.host}`}
              description="Not saved with the profile; used for this run only."
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && password) void run(password);
              }}
            />
          ) : null}
          <Group gap="sm">
            <Button onClick={() => void run(askPassword ? password : undefined)} loading={running} disabled={checklists.length === 0 || (askPassword && !password)}>
              Run checks
            </Button>
            <Text size="sm" c="dimmed">Runs every read step at once in a read-only transaction; steps that change the server are only listed.</Text>
          </Group>
          {runError ? <ErrorAlert title="The checklist did not run" error={runError} onClose={() => setRunError(null)} /> : null}
        </Stack>
      </Paper>

      {signed ? (
        <Alert color="green" variant="light" icon={<IconCheck />} title="Signed off" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setSigned(null)}>
          {signed.title} on {signed.profileName}, {signed.status.toUpperCase()}, signed off by {signed.actor} at {formatTime(signed.signedAt)}. It is in the history below.
        </Alert>
      ) : null}

      {pending ? (
        <RunPanel key={pending.result.startedAt} run={pending} onSigned={onSigned} onDiscard={() => setPending(null)} />
      ) : !signed ? (
        <Text size="sm" c="dimmed">Choose a checklist and press "Run checks": each step shows its status, then mark it done, skipped (with a reason) or escalated, and sign the run off.</Text>
      ) : null}

      <Paper component="section" withBorder p="md" aria-label="Checklist history">
        <Stack gap="sm">
          <Title order={3}>History</Title>
          {history.error ? <ErrorAlert title="The history could not be read" error={history.error} /> : null}
          {history.runs ? <HistoryTable runs={history.runs} openId={opened?.id ?? null} onOpen={(id) => void open(id)} /> : <Text size="sm" c="dimmed">Loading…</Text>}
        </Stack>
      </Paper>

      {opened ? <SavedRunView key={opened.id} run={opened} onClose={() => setOpened(null)} /> : null}
    </Stack>
  );
}

// Importing a runbook needs no profile (it only reads the file), so it is offered either way.
export function ChecklistsScreen() {
  return (
    <Stack gap="md">
      <ActiveProfileChecklists />
      <ImportRunbook />
    </Stack>
  );
}

function ActiveProfileChecklists() {
  const { active, profiles, setScreen } = useAppState();
  if (!active) {
    return (
      <Stack gap="md">
        <Title order={2}>Checklists</Title>
        <Paper component="section" withBorder p="md" aria-label="No profile">
          <Text mb="sm">
            {profiles.length === 0
              ? 'Checklists run on a connection profile, and there is none yet. Add one (or start the demo sandbox) on the Profiles screen.'
              : 'Pick the profile to check in the header first: the checklists run on the active profile.'}
          </Text>
          {profiles.length === 0 ? <Button variant="light" onClick={() => setScreen('profiles')}>Go to Profiles</Button> : null}
        </Paper>
      </Stack>
    );
  }
  // Keyed by profile: a run belongs to the profile it ran on, so switching profiles puts it away.
  return <ProfileChecklists key={active.id} profile={active} />;
}
