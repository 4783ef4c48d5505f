// The team part of the one API contract: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22). Spread into `operations`.
// The sync itself is not audited: it copies the trail, and an entry per sync would keep the
// trail from ever being caught up. Connecting (and disconnecting) is.
import { CONNECT_ERRORS, empty, op } from './op';
import {
  teamAuditQuerySchema,
  teamConnectSchema,
  type TeamAuditEntry,
  type TeamConnectResult,
  type TeamStatus,
  type TeamSyncResult,
  type TeamVerifyResult,
} from './team';

const STORE_ERRORS = [...CONNECT_ERRORS, 'FORBIDDEN', 'STORE_TOO_NEW', 'QUERY_FAILED', 'CONFLICT'] as const;

export const teamOperations = {
  /** Connects this workstation to a team store: checks TLS, creates or migrates the `ops_team` schema, registers the workstation, saves the settings (never the password). */
  teamConnect: op<TeamConnectResult>()({ input: teamConnectSchema, errors: [...STORE_ERRORS, 'SECRET_STORE_UNAVAILABLE'], audit: 'team.connect' }),
  /** Forgets the team store's settings here; what was uploaded stays there. */
  teamDisconnect: op<TeamStatus>()({ input: empty, errors: [], audit: 'team.disconnect' }),
  /** Settings, pending counts, last sync and last error from the local store; reaches no server. */
  teamStatus: op<TeamStatus>()({ input: empty, errors: [], audit: null }),
  /** Uploads what is pending now (batches of 500, one transaction each). */
  teamSync: op<TeamSyncResult>()({ input: empty, errors: [...STORE_ERRORS, 'NOT_FOUND'], audit: null }),
  /** Recomputes every workstation's hash chain from the team store's rows and names each one's first bad entry. */
  teamVerifyAudit: op<TeamVerifyResult>()({ input: empty, errors: [...STORE_ERRORS, 'NOT_FOUND'], audit: null }),
  /** The whole team's trail with the Audit screen's filters, newest first. */
  searchTeamAudit: op<{ entries: TeamAuditEntry[] }>()({ input: teamAuditQuerySchema, errors: [...STORE_ERRORS, 'NOT_FOUND'], audit: null }),
} as const;
