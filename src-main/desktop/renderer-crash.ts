// A renderer that dies (crash, out of memory, killed) must not go unnoticed: the shell
// records it in the audit trail, logs it and offers to reload the window. Plain functions
// so the wording and the audit record are tested without Electron.
import type { AuditLog } from '../core/platform/audit/audit-log';

/** Electron's RenderProcessGoneDetails, the parts used here. */
export interface RendererGone {
  reason: string;
  exitCode: number;
}

export const RENDERER_GONE_ACTION = 'app.renderer-gone';

const REASONS: Record<string, string> = {
  'abnormal-exit': 'exited abnormally',
  killed: 'was killed',
  crashed: 'crashed',
  oom: 'ran out of memory',
  'launch-failed': 'failed to launch',
  'integrity-failure': 'failed a code integrity check',
  'memory-eviction': 'was evicted to free memory',
};

/** null for a normal exit (the window closing); else the one line to audit, log and show. */
export function describeRendererGone(details: RendererGone): string | null {
  if (details.reason === 'clean-exit') return null;
  const what = REASONS[details.reason] ?? `stopped (${details.reason})`;
  return `The window's renderer process ${what} (exit code ${details.exitCode}).`;
}

/** Audits the crash (one completed, failed entry); returns its message, or null when there is nothing to report. */
export function auditRendererGone(audit: Pick<AuditLog, 'record'>, actor: string, details: RendererGone): string | null {
  const message = describeRendererGone(details);
  if (!message) return null;
  audit.record({
    actor,
    action: RENDERER_GONE_ACTION,
    profile: null,
    summary: message,
    detail: JSON.stringify({ reason: details.reason, exitCode: details.exitCode }),
    outcome: 'error',
    durationMs: 0,
    error: message,
  });
  return message;
}
