// The frame of a step-by-step job wizard (Backups, Restore): the stepper with the current
// step's body, what to fix before going on, and Back / Next (or the start button on the
// Review step). Going back by clicking a done step works until the Run step; optionally Enter
// moves on when the key does not belong to the focused control.
import { Button, Group, List, Paper, Stack, Stepper, Text } from '@mantine/core';
import type { KeyboardEvent, ReactNode } from 'react';
import { enterAdvances } from './enter-advances';

export interface WizardFrameProps {
  /** The section's accessible name ("New backup"). */
  label: string;
  title: ReactNode;
  steps: readonly string[];
  descriptions: readonly string[];
  step: number;
  onStep: (step: number) => void;
  reviewStep: number;
  runStep: number;
  /** A job is running: the steps cannot be left by clicking. */
  running: boolean;
  /** The current step's body (only it is rendered). */
  body: ReactNode;
  problems: string[];
  onNext: () => void;
  /** The Review step's start button. */
  startButton: ReactNode;
  /** When given, Enter calls it (outside the Run step) and a hint says so. */
  onEnter?: () => void;
}

function onEnterKey(event: KeyboardEvent<HTMLDivElement>, go: () => void) {
  if (event.key !== 'Enter' || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || event.nativeEvent.isComposing)
    return;
  const target = event.target as HTMLElement;
  const allowed = enterAdvances({
    tagName: target.tagName,
    value: target instanceof HTMLInputElement ? target.value : '',
    isTagsInput: Boolean(target.closest('[data-tags-input]')),
    expanded: target.getAttribute('aria-expanded') === 'true',
    multiline: target.isContentEditable,
  });
  if (!allowed) return;
  event.preventDefault();
  go();
}

export function WizardFrame(props: WizardFrameProps) {
  const { step, onStep, reviewStep, runStep, problems, onEnter } = props;
  const forward =
    step === reviewStep ? (
      props.startButton
    ) : (
      <Button onClick={props.onNext} disabled={problems.length > 0}>
        Next
      </Button>
    );
  const content = (
    <Stack gap="md">
      {props.title}
      <Stepper
        active={step}
        onStepClick={(index) => {
          if (!props.running && step !== runStep && index < step) onStep(index);
        }}
        allowNextStepsSelect={false}
        size="sm"
      >
        {props.steps.map((label, index) => (
          <Stepper.Step key={label} label={label} description={props.descriptions[index]}>
            {index === step ? props.body : null}
          </Stepper.Step>
        ))}
      </Stepper>
      {problems.length > 0 ? (
        <List size="sm" c="red" aria-label="What to fix before going on">
          {problems.map((p) => (
            <List.Item key={p}>{p}</List.Item>
          ))}
        </List>
      ) : null}
      {step < runStep ? (
        <Group justify="space-between">
          <Button variant="default" onClick={() => onStep(step - 1)} disabled={step === 0}>
            Back
          </Button>
          {onEnter ? (
            <Group gap="xs">
              <Text size="xs" c="dimmed">
                Enter: {step === reviewStep ? 'start' : 'next'}
              </Text>
              {forward}
            </Group>
          ) : (
            forward
          )}
        </Group>
      ) : null}
    </Stack>
  );
  return (
    <Paper withBorder p="md" component="section" aria-label={props.label}>
      {onEnter ? <div onKeyDown={(event) => step !== runStep && onEnterKey(event, onEnter)}>{content}</div> : content}
    </Paper>
  );
}
