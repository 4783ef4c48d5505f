// What a saved runbook's step offers. SQL: one field per placeholder, then "Open in query
// console", which fills them in as literals and opens the statement in a new editor tab on
// the active profile. Nothing runs here: the operator runs it in the console, where its
// guards apply (production confirmation, read-only profiles, blocked statements).
// Commands: a Copy button (the app never runs a runbook's shell commands).
import { Button, CopyButton, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fillSqlPlaceholders } from '@contract/placeholders';
import type { ImportedProcedure, ImportedStep } from '@contract/runbook';
import { useAppState } from '../../shared/state/app-state';
import { ParameterBadges } from './runbook-outline';

/** Only the fields filled in: an empty field is a missing value, which the filler names. */
function filledValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
}

/** How the value goes in, from how the runbook wrote the placeholder. */
function fillHint(step: ImportedStep, name: string): string {
  const fills = new Set((step.placeholders ?? []).filter((p) => p.name === name).flatMap((p) => p.fills?.filter((f) => f !== null) ?? [p.fill]));
  if (fills.size === 1 && fills.has('identifier')) return 'A name (table, schema, database): goes in double-quoted.';
  if (fills.size === 1 && fills.has('string')) return 'Goes in as a quoted string.';
  if (fills.has('identifier')) return 'Used as a name and as a value: quoted as each where it stands.';
  return 'A number stays a number; anything else becomes a quoted string.';
}

/** The editor tab's title: the step, with its procedure when the step's own title is generic. */
export function tabTitle(step: ImportedStep, procedure: ImportedProcedure): string {
  const title = step.title.trim() || procedure.title;
  return title.slice(0, 200);
}

function SqlStepTools({ step, procedure }: { step: ImportedStep; procedure: ImportedProcedure }) {
  const { active, openInQuery } = useAppState();
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  function open() {
    try {
      // The importer's list says which tokens are placeholders and how each is filled; a step
      // saved before it existed has only `[NAME]` ones, which the filler finds itself.
      const sql = step.parameters.length > 0 ? fillSqlPlaceholders(step.text, filledValues(values), step.placeholders) : step.text;
      setError(null);
      openInQuery(sql, tabTitle(step, procedure));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Stack gap={6} role="group" aria-label={`Run ${step.title} in the query console`}>
      {step.parameters.length > 0 ? (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="xs">
          {step.parameters.map((name) => (
            <TextInput
              key={name}
              label={name}
              ff="monospace"
              size="xs"
              value={values[name] ?? ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setValues((v) => ({ ...v, [name]: value }));
                setError(null);
              }}
              description={fillHint(step, name)}
            />
          ))}
        </SimpleGrid>
      ) : null}
      <Group gap="sm">
        <Button size="xs" variant="light" onClick={open}>
          Open in query console
        </Button>
        <Text size="xs" c="dimmed">
          {active
            ? `Opens in a new tab on ${active.name}, not run: you run it there.`
            : 'Pick a profile in the header first: it opens on the active profile, not run.'}
        </Text>
      </Group>
      {error ? (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}

function CommandStepTools({ step }: { step: ImportedStep }) {
  return (
    <Group gap="sm">
      <CopyButton value={step.text}>
        {({ copied, copy }) => (
          <Button size="xs" variant="light" color={copied ? 'teal' : undefined} onClick={copy} aria-label={`Copy the command of ${step.title}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
      {step.parameters.length > 0 ? (
        <Group gap={4}>
          <Text size="xs" c="dimmed">
            Replace before running:
          </Text>
          <ParameterBadges names={step.parameters} label={`Parameters of ${step.title}`} />
        </Group>
      ) : null}
    </Group>
  );
}

export function RunbookStepTools({ step, procedure }: { step: ImportedStep; procedure: ImportedProcedure }) {
  if (step.type === 'sql') return <SqlStepTools step={step} procedure={procedure} />;
  if (step.type === 'command') return <CommandStepTools step={step} />;
  return null;
}
