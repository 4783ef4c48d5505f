// The security domain's public face: the security audit: judged checks of roles, grants, RLS and settings (Supabase Security Advisor's class of lints on Supabase-shaped databases) and of the app's own audit trail (issue #23). Nothing outside core/security/ imports a
// file of it but this one (lint). Its checks are registered on the step-check registry when
// the module is created; the runbook's "Security audit" procedure names them.
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { registerSecurityChecks } from './checks';
import { securityHandlers, type SecurityOps } from './handlers';

export type { SecurityOps };

export function securityModule(deps: CoreDeps): DomainModule<SecurityOps> {
  registerSecurityChecks(deps);
  return { handlers: securityHandlers(deps) };
}
