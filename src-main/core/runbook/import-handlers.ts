// The importRunbook handler (issue #5): Markdown in, procedures and steps out. It parses
// and nothing else — no connection is opened and no SQL or command is run — so importing a
// runbook from anywhere is safe; the audit entry records what was imported. With `save`, the
// parsed result is kept in the local store (saved-runbooks.ts), still without running it.
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { importMarkdownRunbook } from './markdown-import';
import { saveRunbook } from './saved-runbooks';

export function importHandlers(deps: CoreDeps): Pick<Handlers, 'importRunbook'> {
  return {
    importRunbook: async (input, ctx) => {
      const source = input.source ?? null;
      const result = await importMarkdownRunbook(input.markdown, source);
      const from = source ?? `"${result.title}"`;
      ctx.audit.summary = `Imported ${result.procedures} procedures, ${result.steps} steps (${result.sqlSteps} SQL) from ${from}`;
      ctx.audit.detail = result.outline
        .map((p) => `${p.path.join(' > ') || p.title}: ${p.steps.length} steps (${p.steps.filter((s) => s.type === 'sql').length} SQL)`)
        .join('\n');
      if (!input.save) return { ...result, savedId: null };
      const savedId = saveRunbook(deps, result);
      ctx.audit.summary += `, saved as "${result.title}"`;
      ctx.audit.detail = `saved runbook id ${savedId}\n${ctx.audit.detail}`;
      return { ...result, savedId };
    },
  };
}
