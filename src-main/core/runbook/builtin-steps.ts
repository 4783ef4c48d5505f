// Small builders for the built-in runbook's steps. SQL that the query console's snippet
// library already has is taken from it by slug (one place per query); a missing slug
// fails at load, and the runbook unit test loads every procedure.
import { BUILTIN_SNIPPETS } from '../query';
import type { BuiltinAction, Rule, RuleOverride, Step, StepKind } from './model';
import type { Noun } from './thresholds';
import { WRITE_PREVIEWS } from './write-previews';

export function snippetSql(slug: string): string {
  const snippet = BUILTIN_SNIPPETS.find((s) => s.slug === slug);
  if (!snippet) throw new Error(`built-in runbook: no built-in snippet "${slug}"`);
  return snippet.sql;
}

interface StepText {
  id: string;
  title: string;
  explanation: string;
  correction?: string;
}

/**
 * A step running a built-in snippet. Its kind follows the snippet: a read, or for a
 * snippet that writes, the kind the caller names (write or destructive).
 */
export function snippetStep(slug: string, text: StepText & { rule?: Rule; kind?: Exclude<StepKind, 'read'> }): Step {
  const snippet = BUILTIN_SNIPPETS.find((s) => s.slug === slug);
  if (!snippet) throw new Error(`built-in runbook: no built-in snippet "${slug}"`);
  if (snippet.writes && text.kind === undefined) throw new Error(`built-in runbook: snippet "${slug}" writes; say whether it is a write or destructive`);
  const { kind, ...rest } = text;
  const preview = snippet.writes ? WRITE_PREVIEWS[slug] : undefined;
  const previewed = preview ? { preview: preview.sql, ...(preview.immediate ? { immediate: true } : {}) } : {};
  return { ...rest, kind: snippet.writes ? kind! : 'read', run: { type: 'sql', sql: snippet.sql, snippet: slug, ...previewed } };
}

/** A read step with SQL of its own (no snippet fits: it computes what its rule judges). */
export function readStep(sql: string, text: StepText & { rule?: Rule }): Step {
  return { ...text, kind: 'read', run: { type: 'sql', sql } };
}

export function actionStep(action: BuiltinAction, kind: StepKind, text: StepText, options?: Record<string, string>): Step {
  return { ...text, kind, run: { type: 'action', action, ...(options ? { options } : {}) } };
}

/**
 * A read step judged by a built-in check a domain registers (security, capacity, upgrade).
 * Until its domain registers the name, running it says so (UNKNOWN), nothing else.
 */
export function checkStep(check: string, text: StepText): Step {
  return { ...text, kind: 'read', run: { type: 'check', check } };
}

/** Something a person does outside the app (a dashboard, a phone call). Never run. */
export function manualStep(instruction: string, text: StepText, kind: StepKind = 'read'): Step {
  return { ...text, kind, run: { type: 'manual', instruction } };
}

export function rowCount(threshold: Rule['threshold'], noun?: Noun): Rule {
  return { metric: { type: 'rowCount' }, threshold, ...(noun !== undefined ? { noun } : {}) };
}

export function column(
  name: string,
  aggregate: 'max' | 'min' | 'sum' | 'first',
  threshold: Rule['threshold'],
  extra: { empty?: number | null; scale?: number; noun?: Noun; unless?: RuleOverride } = {},
): Rule {
  const { empty, ...rest } = extra;
  return { metric: { type: 'column', column: name, aggregate, ...(empty !== undefined ? { empty } : {}) }, threshold, ...rest };
}
