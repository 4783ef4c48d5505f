// The runbook's procedures for the active profile: pick one (morning and evening one click
// away, any other from the runbook's list), run its read steps at once or one by one, preview
// and run its write steps, decide each step and sign the run off; the maintenance calendar,
// the alert thresholds and the past runs are below. The core runs, judges, checks the
// sign-off and audits it.
import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Profile } from '@contract/models';
import type { ChecklistRunRecord, ChecklistRunSummary, ChecklistSummary, ProcedureInfo } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconCheck } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatTime } from '../../shared/format/time';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { CalendarPanel } from './CalendarPanel';
import { choiceFor, findProcedure, progressLabel } from './checklist-model';
import { HistoryTable, SavedRunView } from './HistoryPanel';
import { ImportRunbook } from './ImportRunbook';
import { ProcedurePicker, ProcedureSteps } from './ProcedurePicker';
import { RunPanel } from './RunPanel';
import { RunProgressView } from './RunProgressView';
import { ThresholdsPanel } from './ThresholdsPanel';
import { ToolkitPanel } from './ToolkitPanel';
import { useChecklistRun } from './useChecklistRun';
import { isTyping } from '../../shared/dom';
import { CHECKLIST_KEYS, matchesKeys } from '../../shared/keys/bindings';

function useChecklists(): { checklists: ChecklistSummary[]; error: ShownError | null } {
  const [checklists, setChecklists] = useState<ChecklistSummary[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    api.listChecklists({}).then(
      (r) => setChecklists(r.checklists),
      (err: unknown) => setError(toShownError(err)),
    );
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

function useProcedures(): { procedures: ProcedureInfo[] | null; error: ShownError | null } {
  const [procedures, setProcedures] = useState<ProcedureInfo[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    api.listProcedures({}).then(
      (r) => setProcedures(r.procedures),
      (err: unknown) => setError(toShownError(err)),
    );
  }, []);
  return { procedures, error };
}

/** Ctrl/⌘+Enter runs the checks, unless the keys are meant for a text field. */
function useRunShortcut(run: () => void): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (!matchesKeys(CHECKLIST_KEYS.run, event) || isTyping(event.target)) return;
      event.preventDefault();
      run();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [run]);
}

/** Clear of the frame's fixed header when scrolled to the top of the window. */
const BELOW_HEADER = { scrollMarginTop: 'calc(var(--app-shell-header-offset, 86px) + var(--mantine-spacing-md))' } as const;

/**
 * Brings what a run started here produces into view: its progress as soon as it shows, then
 * its results (the run panel) when they arrive. The run panel sits below the picker and the
 * calendar, under the fold on a laptop, and without this the button seemed to do nothing.
 * Only runs started on this screen move it (`requested`), never one merely restored.
 */
function useRevealRun(progressShown: boolean, runKey: string | null) {
  const requested = useRef(false);
  const progressRef = useRef<HTMLDivElement | null>(null);
  const runRef = useRef<HTMLDivElement | null>(null);
  const reveal = (el: HTMLElement | null) => {
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    el?.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
  };
  useEffect(() => {
    if (requested.current && progressShown) reveal(progressRef.current);
  }, [progressShown]);
  useEffect(() => {
    if (!requested.current || !runKey) return;
    requested.current = false;
    reveal(runRef.current);
  }, [runKey]);
  const request = useCallback(() => {
    requested.current = true;
  }, []);
  return { request, progressRef, runRef };
}

const SHORTCUT = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? CHECKLIST_KEYS.run.keys.replace('Ctrl', '⌘') : CHECKLIST_KEYS.run.keys;

function ProfileChecklists({ profile }: { profile: Profile }) {
  const { checklists, error: listError } = useChecklists();
  const { procedures, error: proceduresError } = useProcedures();
  const [choice, setChoice] = useState(() => readSetting('checklists.last') ?? 'morning');
  const runner = useChecklistRun(profile);
  const [opened, setOpened] = useState<ChecklistRunRecord | null>(null);
  const [openError, setOpenError] = useState<ShownError | null>(null);
  const [signed, setSigned] = useState<ChecklistRunRecord | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [toolkitOpen, setToolkitOpen] = useState(false);
  const history = useHistory(profile.id);
  const procedure = procedures ? findProcedure(procedures, choice) : undefined;
  const pendingProcedure = runner.pending && procedures ? findProcedure(procedures, runner.pending.checklistId) : undefined;
  const busy = runner.running !== null || runner.stepRunning !== null;
  const { pending, runAll, startStepwise, askPassword, password } = runner;
  const canRun = (checklists.length > 0 || procedure !== undefined) && !(askPassword && !password);

  function choose(next: string) {
    setChoice(next);
    writeSetting('checklists.last', next);
  }

  // An open run holds the operator's decisions and notes: a new run would replace it, so
  // starting one waits until it is signed off or discarded.
  const blockedByOpenRun = pending !== null;
  const reveal = useRevealRun(runner.progress !== null, pending?.result.startedAt ?? null);
  const { request: requestReveal } = reveal;
  const runChecks = useCallback(() => {
    if (busy || !canRun || blockedByOpenRun) return;
    setSigned(null);
    requestReveal();
    void runAll(choice);
  }, [busy, canRun, blockedByOpenRun, runAll, choice, requestReveal]);
  useRunShortcut(runChecks);

  function stepByStep() {
    setSigned(null);
    reveal.request();
    void startStepwise(choice);
  }

  /** From the calendar: choose the procedure and run its checks (a pending run is kept, not replaced). */
  function startFromCalendar(procedureId: string) {
    const found = procedures ? findProcedure(procedures, procedureId) : undefined;
    const next = found ? choiceFor(found) : procedureId;
    choose(next);
    if (!pending && !busy) {
      setSigned(null);
      reveal.request();
      void runAll(next);
    }
  }

  async function open(id: string) {
    setOpenError(null);
    try {
      setOpened(await api.getChecklistRun({ id }));
    } catch (err) {
      setOpenError(toShownError(err));
    }
  }

  function onSigned(saved: ChecklistRunRecord) {
    runner.discard();
    setSigned(saved);
    setRefreshKey((k) => k + 1);
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
      {proceduresError ? <ErrorAlert title="The runbook's procedures could not be listed (the checklists still run)" error={proceduresError} /> : null}

      <CalendarPanel profile={profile} onStart={startFromCalendar} refreshKey={refreshKey} />

      <Paper component="section" withBorder p="md" aria-label="Start a checklist run">
        <Stack gap="sm">
          <ProcedurePicker checklists={checklists} procedures={procedures} value={choice} onChange={choose} disabled={busy} />
          {askPassword ? (
            <PasswordInput
              label={`Password for ${profile.user}@${profile.host}`}
              description="Not saved with the profile; used for this run only."
              value={password}
              onChange={(e) => runner.setPassword(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && password && !pending) void runAll(choice);
              }}
            />
          ) : null}
          <Group gap="sm">
            <Tooltip label={`Run every read step (${SHORTCUT})`} openDelay={400}>
              <Button
                onClick={runChecks}
                loading={runner.running === 'all'}
                disabled={!canRun || blockedByOpenRun || (busy && runner.running !== 'all')}
                aria-keyshortcuts="Control+Enter Meta+Enter"
              >
                Run checks
              </Button>
            </Tooltip>
            <Button
              variant="default"
              onClick={stepByStep}
              loading={runner.running === 'stepwise'}
              disabled={!canRun || blockedByOpenRun || (busy && runner.running !== 'stepwise')}
            >
              Step by step
            </Button>
            <Button variant="subtle" onClick={() => setToolkitOpen(true)}>
              Ops toolkit…
            </Button>
            {runner.progress ? (
              // Beside the button that started it, where the eye is; the progress panel below announces it.
              <Text size="sm" fw={500} aria-hidden="true" data-testid="run-progress-inline">
                {runner.progress.total > 0 ? progressLabel([], runner.progress.finished.length, runner.progress.total) : 'Connecting'}…
              </Text>
            ) : null}
            {blockedByOpenRun ? (
              <Text size="sm" c="dimmed" role="note">
                A run is open below: sign it off or discard it before starting another, so its decisions are not lost.
              </Text>
            ) : null}
            <Text size="sm" c="dimmed">
              "Run checks" runs every read step at once in a read-only transaction; "Step by step" runs them one at a time. Steps that change the server run
              only from their preview.
            </Text>
          </Group>
          {runner.error ? <ErrorAlert title="The checklist did not run" error={runner.error} onClose={runner.clearError} /> : null}
        </Stack>
      </Paper>

      {runner.progress ? (
        <div ref={reveal.progressRef} style={BELOW_HEADER}>
          <RunProgressView progress={runner.progress} procedure={findProcedure(procedures ?? [], runner.progress.checklistId)} />
        </div>
      ) : null}

      {signed ? (
        <Alert
          color="green"
          variant="light"
          icon={<IconCheck />}
          title="Signed off"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setSigned(null)}
        >
          {signed.title} on {signed.profileName}, {signed.status.toUpperCase()}, signed off by {signed.actor} at {formatTime(signed.signedAt)}. It is in the
          history below.
        </Alert>
      ) : null}

      {pending ? (
        <div ref={reveal.runRef} style={BELOW_HEADER}>
          <RunPanel
            key={pending.result.startedAt}
            run={pending}
            profile={profile}
            procedure={pendingProcedure}
            stepRunning={runner.stepRunning}
            busy={busy}
            stepError={runner.stepError}
            onClearStepError={runner.clearStepError}
            onRunStep={(stepId) => void runner.runStep(stepId)}
            runPassword={runner.runPassword}
            onSigned={onSigned}
            onDiscard={runner.discard}
          />
        </div>
      ) : !signed && !runner.progress ? (
        <Paper component="section" withBorder p="md" aria-label="What will run">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Press "Run checks" (or "Step by step"): each step shows its status, then mark it done, skipped (with a reason) or escalated, and sign the run off.
            </Text>
            {procedure ? (
              <>
                <Title order={4}>{procedure.title}: what will run</Title>
                <ProcedureSteps procedure={procedure} />
              </>
            ) : null}
          </Stack>
        </Paper>
      ) : null}

      <Paper component="section" withBorder p="md" aria-label="Checklist history">
        <Stack gap="sm">
          <Title order={3}>History</Title>
          {history.error ? <ErrorAlert title="The history could not be read" error={history.error} /> : null}
          {openError ? <ErrorAlert title="The run could not be opened" error={openError} onClose={() => setOpenError(null)} /> : null}
          {history.runs ? (
            <HistoryTable runs={history.runs} openId={opened?.id ?? null} onOpen={(id) => void open(id)} />
          ) : (
            <Text size="sm" c="dimmed">
              Loading…
            </Text>
          )}
        </Stack>
      </Paper>

      {opened ? <SavedRunView key={opened.id} run={opened} onClose={() => setOpened(null)} /> : null}

      <ThresholdsPanel profile={profile} />
      {toolkitOpen ? <ToolkitPanel profile={profile} password={runner.runPassword} onClose={() => setToolkitOpen(false)} /> : null}
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
          {profiles.length === 0 ? (
            <Button variant="light" onClick={() => setScreen('profiles')}>
              Go to Profiles
            </Button>
          ) : null}
        </Paper>
      </Stack>
    );
  }
  // Keyed by profile: a run belongs to the profile it ran on, so switching profiles puts it away.
  return <ProfileChecklists key={active.id} profile={active} />;
}
