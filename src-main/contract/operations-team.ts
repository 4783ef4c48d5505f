// The team part of the one API contract: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22). Spread into `operations`.
export const teamOperations = {} as const;
