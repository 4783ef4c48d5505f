// Audit operations. Reads of the local trail are not themselves audited (operations.ts);
// an export is, and says what it exported.
import { OpsError } from '../../../contract/errors';
import type { CoreDeps } from '../kernel/deps';
import type { Handlers } from '../kernel/dispatch';
import { plural } from '../text/plural';

type AuditHandlers = Pick<Handlers, 'searchAudit' | 'getAuditEntry' | 'verifyAudit' | 'exportAudit'>;

export function auditHandlers(deps: CoreDeps): AuditHandlers {
  function searchAudit(input: Parameters<Handlers['searchAudit']>[0]) {
    return { entries: deps.audit.search(input) };
  }

  function getAuditEntry(input: Parameters<Handlers['getAuditEntry']>[0]) {
    const entry = deps.audit.get(input.id);
    if (!entry) throw new OpsError('NOT_FOUND', `Audit entry #${input.id} does not exist.`);
    return entry;
  }

  function verifyAudit() {
    return deps.audit.verify();
  }

  function exportAudit(input: Parameters<Handlers['exportAudit']>[0], ctx: Parameters<Handlers['exportAudit']>[1]) {
    const { content, entries } = deps.audit.export(input.format, input.query);
    ctx.audit.summary = `Exported ${plural(entries, 'audit entry', 'audit entries')} as ${input.format.toUpperCase()}`;
    ctx.audit.detail = input.query ? `filter: ${JSON.stringify(input.query)}` : 'whole trail';
    return { format: input.format, content, entries };
  }

  return { searchAudit, getAuditEntry, verifyAudit, exportAudit };
}
