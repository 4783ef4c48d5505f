// The backup wizard for the active profile: What → Format → Options → Destination → Review →
// Run. Enter moves on when the step is valid (not when the key belongs to the focused
// control). The Destination step asks the core for the default plan, so the app's backups
// folder is shown as a real path; Review asks for the plan of the chosen options.
import { Button, Group, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { Profile } from '@contract/models';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { WizardFrame } from '../../shared/components/wizard/WizardFrame';
import { canAdvance, DEFAULT_WIZARD, planKey, STEP, stepProblems, toBackupOptions, WIZARD_STEPS, type WizardState } from './backup-wizard-model';
import { BackupProgress } from './BackupProgress';
import { DirectOffsiteRun, useDirectOffsite, useOffsiteDestinations } from './OffsiteTarget';
import { ReviewStep } from './ReviewStep';
import { useBackupJob, usePlans } from './useBackupJob';
import { DestinationStep, FormatStep, OptionsStep, WhatStep } from './WizardSteps';

const STEP_DESCRIPTIONS = [
  'Full, schema, data or roles',
  'Custom, plain or directory',
  'Owners, filters, compression',
  'Folder or offsite',
  'Command and versions',
  'Progress',
];

export interface BackupWizardProps {
  profile: Profile;
  onFinished: (entry: BackupEntry) => void;
  onShowClientTools: () => void;
}

export function BackupWizard({ profile, onFinished, onShowClientTools }: BackupWizardProps) {
  const [state, setState] = useState<WizardState>(DEFAULT_WIZARD);
  const [step, setStep] = useState<number>(STEP.what);
  const [password, setPassword] = useState('');
  const plans = usePlans();
  const { job, start, cancel, reset } = useBackupJob(onFinished);
  const direct = useDirectOffsite(onFinished);
  const running = Boolean(job && !job.result && !job.startError) || direct.run.busy;
  // Read again on the Destination step: one may have been added in the panel below meanwhile.
  const destinationsStep = step === STEP.destination ? 1 : 0;
  const [destinationsKey, setDestinationsKey] = useState(0);
  useEffect(() => {
    if (destinationsStep) setDestinationsKey((k) => k + 1);
  }, [destinationsStep]);
  const offsite = useOffsiteDestinations(destinationsKey);
  const offsiteDestination = state.offsite === null ? null : (offsite.destinations.find((d) => d.name === state.offsite) ?? null);

  const options = useMemo(() => toBackupOptions(state, profile.id, password || undefined), [state, profile.id, password]);
  const defaultOptions = useMemo(() => toBackupOptions({ ...state, outDir: '' }, profile.id, password || undefined), [state, profile.id, password]);
  // Plans are asked when the options change, not when a password is typed (the key leaves it out).
  const latest = useRef({ options, defaultOptions });
  latest.current = { options, defaultOptions };
  const optionsKey = planKey(options);
  const defaultKey = planKey(defaultOptions);

  const { request, forget } = plans;
  useEffect(() => {
    if (step === STEP.destination) void request(latest.current.defaultOptions);
  }, [step, defaultKey, request]);
  useEffect(() => {
    if (step === STEP.review) void request(latest.current.options);
  }, [step, optionsKey, request]);

  // Another profile: start over (a running backup keeps its own view until it ends).
  const profileId = profile.id;
  useEffect(() => {
    if (running) return;
    setStep(STEP.what);
    setPassword('');
    forget();
    // Only a profile change restarts the wizard: `running` and `forget` are read, not watched.
  }, [profileId]);

  const answer = plans.answerFor(options);
  const planning = plans.isPending(options);
  const ready = Boolean(answer?.plan) && !planning;

  const reviewedName = answer?.plan?.fileName ?? null;
  const offsiteName = state.offsite;
  const startDirect = direct.start;
  const startBackup = useCallback(() => {
    if (reviewedName === null) return;
    setStep(STEP.run);
    if (offsiteName !== null) void startDirect(latest.current.options, offsiteName, reviewedName);
    else void start(latest.current.options, reviewedName);
  }, [start, startDirect, reviewedName, offsiteName]);

  const next = useCallback(() => {
    if (step === STEP.review) {
      if (ready) startBackup();
      return;
    }
    if (canAdvance(state, step)) setStep(step + 1);
  }, [step, state, ready, startBackup]);

  const resetDirect = direct.reset;
  const newBackup = useCallback(() => {
    reset();
    resetDirect();
    forget();
    setStep(STEP.what);
  }, [reset, resetDirect, forget]);

  const problems = step < STEP.review ? stepProblems(state, step) : [];
  const stepBody = [
    <WhatStep key="what" state={state} onChange={setState} />,
    <FormatStep key="format" state={state} onChange={setState} />,
    <OptionsStep key="options" state={state} onChange={setState} />,
    <DestinationStep
      key="destination"
      state={state}
      onChange={setState}
      defaultPlan={plans.answerFor(defaultOptions)}
      planning={plans.isPending(defaultOptions)}
      destinations={offsite.destinations}
      destinationsError={offsite.error}
    />,
    <ReviewStep
      key="review"
      profile={profile}
      answer={answer}
      planning={planning}
      onRecheck={() => void request(latest.current.options, true)}
      onShowClientTools={onShowClientTools}
      password={password}
      onPassword={setPassword}
      offsite={offsiteDestination}
    />,
    state.offsite !== null ? (
      <DirectOffsiteRun key="run" run={direct.run} onCancel={direct.cancel} onNew={newBackup} />
    ) : job ? (
      <BackupProgress key="run" job={job} onCancel={() => void cancel()} onNew={newBackup} onShowClientTools={onShowClientTools} />
    ) : null,
  ];

  return (
    <WizardFrame
      label="New backup"
      title={
        <Group gap="xs">
          <Title order={3} size="h4">
            New backup of {profile.name}
          </Title>
          <EnvBadge env={profile.env} />
        </Group>
      }
      steps={WIZARD_STEPS}
      descriptions={STEP_DESCRIPTIONS}
      step={step}
      onStep={setStep}
      reviewStep={STEP.review}
      runStep={STEP.run}
      running={running}
      body={stepBody[step]}
      problems={problems}
      onNext={next}
      onEnter={next}
      startButton={
        <Button onClick={startBackup} disabled={!ready}>
          Start backup
        </Button>
      }
    />
  );
}
