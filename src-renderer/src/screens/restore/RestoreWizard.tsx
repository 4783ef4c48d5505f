// The restore wizard: Source → Target → Options → Review → Run. The core inspects the
// source, plans (versions, read-only, conflicts, confirmation), runs, validates and audits;
// the wizard asks and shows. Review re-plans whenever the options change (clean, password).
import { Button, Stack, Title } from '@mantine/core';
import { OffsiteStagingProgress } from '../../shared/components/jobs/OffsiteStagingProgress';
import { WizardFrame } from '../../shared/components/wizard/WizardFrame';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { Profile } from '@contract/models';
import type { RestoreRecord } from '@contract/restore';
import { api } from '../../shared/api/client';
import {
  defaultBackupId,
  defaultWizard,
  planKey,
  RESTORE_STEPS,
  RSTEP,
  sourceOf,
  stepProblems,
  toRestoreOptions,
  type RestoreWizardState,
} from './restore-model';
import { RestoreReview } from './RestoreReview';
import { RestoreRun } from './RestoreRun';
import { SourceStep } from './SourceStep';
import { OptionsStep, TargetStep } from './TargetOptionsSteps';
import { useInspect, useRestoreJob, useRestorePlans } from './useRestoreJob';

const STEP_DESCRIPTIONS = ['Backup and contents', 'Where it goes', 'Jobs, owners, safety', 'Command and checks', 'Progress and validation'];

export interface RestoreWizardProps {
  active: Profile | null;
  profiles: Profile[];
  backups: BackupEntry[] | null;
  onFinished: (record: RestoreRecord) => void;
  onShowClientTools: () => void;
  onGoToBackups: () => void;
  onOpenProfile: (profile: Profile) => void;
}

export function RestoreWizard({ active, profiles, backups, onFinished, onShowClientTools, onGoToBackups, onOpenProfile }: RestoreWizardProps) {
  const activeId = active?.id ?? null;
  const [state, setState] = useState<RestoreWizardState>(() => defaultWizard(activeId, null));
  const [step, setStep] = useState<number>(RSTEP.source);
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const touchedSource = useRef(false);
  const source = sourceOf(state);
  const inspect = useInspect(source);
  const plans = useRestorePlans();
  const { job, start, cancel, reset } = useRestoreJob(onFinished);
  const running = Boolean(job && !job.result && !job.startError);

  // The active profile's latest backup is the default source, until the user picks another.
  useEffect(() => {
    if (!backups || touchedSource.current) return;
    const id = defaultBackupId(backups, activeId);
    setState((s) => (s.backupId === id ? s : { ...s, backupId: id }));
  }, [backups, activeId]);
  useEffect(() => {
    if (activeId && !state.targetProfileId) setState((s) => ({ ...s, targetProfileId: activeId }));
  }, [activeId, state.targetProfileId]);

  // A catalog backup is read as soon as it is picked; a typed path on blur or "Read it".
  const { inspect: inspectSource } = inspect;
  useEffect(() => {
    if (state.sourceMode === 'catalog' && state.backupId) void inspectSource(state.backupId);
  }, [state.sourceMode, state.backupId, inspectSource]);

  const contents = inspect.answer?.contents ?? null;
  const options = useMemo(() => toRestoreOptions(state, contents), [state, contents]);
  const target = profiles.find((p) => p.id === state.targetProfileId) ?? null;
  const key = options ? planKey(options) : null;
  const latest = useRef(options);
  latest.current = options;
  const { request } = plans;
  useEffect(() => {
    if (step === RSTEP.review && latest.current) void request({ ...latest.current, ...(password ? { password } : {}) });
    // The password is sent with a re-check, not on every key press.
  }, [step, key, request]);

  const answer = plans.answerFor(options);
  const planning = plans.isPending(options);
  const plan = answer?.plan ?? null;
  const confirmName = plan?.confirmationRequired ? plan.target.profile : null;
  const ready = Boolean(plan) && !planning && !plan?.blocked && (confirmName === null || typed === confirmName);

  const change = useCallback(
    (next: RestoreWizardState) => {
      if (next.backupId !== state.backupId || next.sourceMode !== state.sourceMode) touchedSource.current = true;
      setState(next);
    },
    [state.backupId, state.sourceMode],
  );

  const startRestore = useCallback(() => {
    const opts = latest.current;
    if (!opts) return;
    setStep(RSTEP.run);
    // The scratch database the review named is the one created: the core never renames it.
    const reviewed =
      opts.target.kind === 'scratch' && !opts.target.database && plan ? { target: { kind: 'scratch' as const, database: plan.target.database } } : {};
    const input = { ...opts, ...reviewed, ...(password ? { password } : {}), ...(confirmName ? { confirmName: typed } : {}) };
    void start(async (jobId) => {
      const answer = await api.startRestore({ ...input, jobId });
      return { id: answer.restoreId, started: answer.plan };
    });
  }, [start, password, confirmName, typed, plan]);

  const newRestore = useCallback(() => {
    reset();
    plans.forget();
    setTyped('');
    setStep(RSTEP.source);
  }, [reset, plans]);

  const check = { inspected: inspect.state };
  const problems = step < RSTEP.review ? stepProblems(state, step, check) : [];
  const stepBody = [
    <SourceStep
      key="source"
      state={state}
      onChange={change}
      backups={backups}
      inspect={{ answer: inspect.answer, inspecting: inspect.inspecting, onInspect: () => source && void inspect.inspect(source, true) }}
      onGoToBackups={onGoToBackups}
    />,
    <TargetStep key="target" state={state} onChange={setState} profiles={profiles} />,
    <OptionsStep key="options" state={state} onChange={setState} contents={contents} target={target} conflictsKnown={plans.conflictsKnown(options)} />,
    <RestoreReview
      key="review"
      answer={answer}
      planning={planning}
      onRecheck={() => latest.current && void request({ ...latest.current, ...(password ? { password } : {}) }, true)}
      onShowClientTools={onShowClientTools}
      clean={state.clean}
      onClean={(clean) => setState((s) => ({ ...s, clean }))}
      password={password}
      onPassword={setPassword}
      confirmName={confirmName}
      typed={typed}
      onTyped={setTyped}
    />,
    job ? (
      <RestoreRun
        key="run"
        job={job}
        profiles={profiles}
        onCancel={() => void cancel()}
        onNew={newRestore}
        onShowClientTools={onShowClientTools}
        onOpenProfile={onOpenProfile}
      />
    ) : null,
  ];

  return (
    <WizardFrame
      label="New restore"
      title={
        <Title order={3} size="h4">
          Restore a backup
        </Title>
      }
      steps={RESTORE_STEPS}
      descriptions={STEP_DESCRIPTIONS}
      step={step}
      onStep={setStep}
      reviewStep={RSTEP.review}
      runStep={RSTEP.run}
      running={running}
      body={
        <Stack gap="sm">
          {/* A dump that lives only offsite is fetched back by whichever call first reads it (inspect, plan or start): its download shows here. */}
          <OffsiteStagingProgress backupId={state.backupId ?? null} />
          {stepBody[step]}
        </Stack>
      }
      problems={problems}
      onNext={() => setStep(step + 1)}
      startButton={
        <Button onClick={startRestore} disabled={!ready} color={target?.env === 'production' && state.targetKind !== 'scratch' ? 'red' : undefined}>
          Start restore
        </Button>
      }
    />
  );
}
