// The security part of the one API contract: the security audit: judged checks of roles, grants, RLS and settings (Supabase Security Advisor's class of lints on Supabase-shaped databases) and of the app's own audit trail (issue #23). Spread into `operations`.
export const securityOperations = {} as const;
