// The security domain's operations: the security audit: judged checks of roles, grants, RLS and settings (Supabase Security Advisor's class of lints on Supabase-shaped databases) and of the app's own audit trail (issue #23).
import type { securityOperations } from '../../contract/operations-security';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';

export type SecurityOps = keyof typeof securityOperations;

export function securityHandlers(_deps: CoreDeps): Pick<Handlers, SecurityOps> {
  return {};
}
