// The runbook's routine sections as procedures: performance monitoring, troubleshooting and
// the maintenance calendar (the emergency, backup and recovery sections are in
// builtin-procedures.ts). Reads and writes reuse the query console's built-in snippets; the
// monthly and quarterly reviews are built-in checks (issue #23) that the monitoring
// (capacity.*), security (security.*) and upgrade (upgrade.*) domains register: their names
// here are the contract with those domains, and a name nobody registered runs as UNKNOWN.
import type { Procedure } from './model';
import { actionStep, checkStep, manualStep, snippetStep } from './builtin-steps';

const MONITORING: Procedure[] = [
  {
    id: 'performance.key-metrics',
    title: 'Key metrics to monitor',
    section: 'Performance Monitoring',
    description: 'Database, application and resource metrics.',
    steps: [
      snippetStep('top-statements', {
        id: 'performance.top-statements',
        title: 'Statements using the most time',
        explanation: "Where the server's time goes.",
        correction: 'The runbook reads total_time and mean_time from pg_stat_statements; since PostgreSQL 13 they are total_exec_time and mean_exec_time.',
      }),
      snippetStep('rarely-used-indexes', {
        id: 'performance.rarely-used-indexes',
        title: 'Indexes scanned fewer than 100 times',
        explanation: 'Costs without benefit.',
      }),
      snippetStep('active-designers', { id: 'performance.active-users', title: 'Active users (24 hours)', explanation: 'Distinct customers designing.' }),
      snippetStep('conversion-rate', {
        id: 'performance.conversion-rate',
        title: 'Order conversion rate (7 days)',
        explanation: 'Share of orders that moved past pending.',
      }),
      snippetStep('database-size', { id: 'performance.database-size', title: 'Database size', explanation: 'Against the DB size thresholds.' }),
      snippetStep('table-cache-hits', { id: 'performance.cache-hits', title: 'Cache hit ratio per table', explanation: 'Tables read from disk most.' }),
    ],
  },
];

const TROUBLESHOOTING: Procedure[] = [
  {
    id: 'troubleshooting.slow-queries',
    title: 'Slow query performance',
    section: 'Troubleshooting Guide',
    description: 'Symptoms: high response times, CPU usage.',
    steps: [
      snippetStep('slow-statements', {
        id: 'troubleshooting.slow-queries.find',
        title: 'Find slow statements',
        explanation: 'Mean over a second per call.',
        correction: 'The runbook filters on mean_time; since PostgreSQL 13 it is mean_exec_time.',
      }),
      snippetStep('seq-scan-tables', {
        id: 'troubleshooting.slow-queries.missing-indexes',
        title: 'Check for missing indexes',
        explanation: 'Tables read mostly by full scans.',
        correction:
          'The runbook runs find_unused_indexes() here, which finds indexes nobody uses, not the ones that are missing; sequential scans point at missing ones.',
      }),
      manualStep(
        'Add the index the plan needs (CREATE INDEX CONCURRENTLY), rewrite the query, or cache its result in the application.',
        {
          id: 'troubleshooting.slow-queries.resolve',
          title: 'Resolution',
          explanation: 'Check the plan in the query console first (Explain).',
        },
        'write',
      ),
    ],
  },
  {
    id: 'troubleshooting.connection-exhaustion',
    title: 'Connection pool exhaustion',
    section: 'Troubleshooting Guide',
    description: 'Symptom: "too many connections" errors.',
    steps: [
      snippetStep('connections-by-state', {
        id: 'troubleshooting.connections.by-state',
        title: 'Connections by state',
        explanation: 'Idle ones are held by a pool; idle in transaction ones are a bug.',
      }),
      snippetStep('terminate-idle-connections', {
        id: 'troubleshooting.connections.terminate-idle',
        kind: 'destructive',
        title: 'End connections idle for over an hour',
        explanation: 'Frees slots; applications must reconnect. The Activity screen previews the same cleanup first.',
        correction: 'The runbook filters on query_start; this uses state_change, when the session went idle.',
      }),
    ],
  },
  {
    id: 'troubleshooting.inventory-sync',
    title: 'Inventory synchronization issues',
    section: 'Troubleshooting Guide',
    description: 'Symptom: negative available quantities.',
    steps: [
      snippetStep('negative-availability', {
        id: 'troubleshooting.inventory.negative',
        title: 'Items with negative availability',
        explanation: 'More reserved than on hand.',
      }),
      snippetStep('reset-negative-reservations', {
        id: 'troubleshooting.inventory.reset',
        kind: 'destructive',
        title: 'Reset their reservations',
        explanation: 'Reservations of open orders on those items are lost.',
      }),
      snippetStep('cancelled-order-stock', {
        id: 'troubleshooting.inventory.cancelled-orders',
        title: 'Audit cancelled orders',
        explanation: 'The stock their lines used should be back.',
      }),
    ],
  },
  {
    id: 'troubleshooting.escalation',
    title: 'Escalation matrix',
    section: 'Troubleshooting Guide',
    description: 'Who handles what.',
    steps: [
      manualStep('Application errors, minor performance issues: the dev team.', {
        id: 'troubleshooting.escalation.level-1',
        title: 'Level 1',
        explanation: 'Business hours.',
      }),
      manualStep('Database connectivity issues, moderate degradation: the database administrator.', {
        id: 'troubleshooting.escalation.level-2',
        title: 'Level 2',
        explanation: 'On call.',
      }),
      manualStep('Complete outage, data corruption, security breach: the administrator, the dev team lead and Supabase support (support@supabase.io).', {
        id: 'troubleshooting.escalation.level-3',
        title: 'Level 3',
        explanation: 'Everyone, now.',
      }),
    ],
  },
];

const CALENDAR: Procedure[] = [
  {
    // No cadence: its one step is "run the morning and evening checklists", which are on the
    // calendar themselves with their own times; a third daily item would be signed off by
    // nobody and show overdue every day.
    id: 'maintenance.daily',
    title: 'Daily maintenance',
    section: 'Maintenance Calendar',
    description: 'Covered by the morning and evening checklists.',
    steps: [
      manualStep('Run the morning checklist at 9 AM and the evening checklist at 6 PM.', {
        id: 'maintenance.daily.checklists',
        title: 'Health, inventory, orders, performance',
        explanation: 'The checklists carry the thresholds.',
      }),
    ],
  },
  {
    id: 'maintenance.weekly',
    title: 'Weekly maintenance',
    section: 'Maintenance Calendar',
    cadence: 'weekly',
    description: 'Vacuum, storage, performance and backups.',
    steps: [
      snippetStep('vacuum-status', { id: 'maintenance.weekly.vacuum-status', title: 'Dead rows and last vacuum', explanation: 'Which tables need it.' }),
      snippetStep('vacuum-analyze', {
        id: 'maintenance.weekly.vacuum',
        kind: 'write',
        title: 'VACUUM the large tables',
        explanation: 'Plain VACUUM: no exclusive lock.',
        correction:
          'The runbook says "full VACUUM"; VACUUM FULL locks the table for the whole rewrite and is for a maintenance window only (see its snippet). Weekly routine is plain VACUUM (ANALYZE).',
      }),
      manualStep('Clean up orphaned files in Supabase Storage.', {
        id: 'maintenance.weekly.storage',
        title: 'Storage cleanup',
        explanation: 'Outside the database.',
      }),
      snippetStep('top-statements', { id: 'maintenance.weekly.performance', title: 'Performance analysis', explanation: "The week's heaviest statements." }),
      actionStep('verify-backup', 'read', {
        id: 'maintenance.weekly.backup-validation',
        title: 'Backup validation',
        explanation: 'The latest archive reads back.',
      }),
    ],
  },
  {
    id: 'maintenance.monthly',
    title: 'Monthly maintenance',
    section: 'Maintenance Calendar',
    cadence: 'monthly',
    description: 'Restore test, capacity, security, indexes.',
    steps: [
      actionStep('restore-drill', 'read', { id: 'maintenance.monthly.backup-test', title: 'Complete backup testing', explanation: 'A timed restore drill.' }),
      // The step ids are the ones saved runs and sign-offs already refer to.
      checkStep('capacity.database-size', {
        id: 'maintenance.monthly.capacity',
        title: 'Capacity: database size forecast',
        explanation: "The database's growth over the snapshots this app keeps, and when it reaches the size thresholds at that rate.",
      }),
      checkStep('capacity.connections', {
        id: 'maintenance.monthly.capacity-connections',
        title: 'Capacity: connections',
        explanation: 'Peak connections against max_connections (less the reserved slots), and when the peak reaches the limit at its growth rate.',
      }),
      checkStep('capacity.wraparound', {
        id: 'maintenance.monthly.wraparound',
        title: 'Capacity: sequences and transaction IDs',
        explanation:
          'Sequences close to their maximum, and databases and tables whose oldest transaction ID nears wraparound (autovacuum must freeze them first).',
      }),
      checkStep('security.audit', {
        id: 'maintenance.monthly.security',
        title: 'Security audit',
        explanation:
          'Every check of the security audit procedure (roles, privileges, settings, row level security on Supabase, the app\'s own audit trail), one row per finding with its fix. Run the "Security audit" procedure for each check on its own.',
      }),
      snippetStep('rarely-used-indexes', {
        id: 'maintenance.monthly.indexes',
        title: 'Index optimization review',
        explanation: 'Indexes that earn their keep, and those that do not.',
      }),
    ],
  },
  {
    id: 'maintenance.quarterly',
    title: 'Quarterly maintenance',
    section: 'Maintenance Calendar',
    cadence: 'quarterly',
    description: 'Drill, optimization, upgrades, documentation.',
    steps: [
      actionStep('restore-drill', 'read', { id: 'maintenance.quarterly.drill', title: 'Disaster recovery drill', explanation: 'See the drill procedure.' }),
      manualStep('Go through the slowest statements and largest tables with the dev team.', {
        id: 'maintenance.quarterly.performance',
        title: 'Full performance optimization',
        explanation: 'Bigger changes than the weekly review.',
      }),
      checkStep('upgrade.version', {
        id: 'maintenance.quarterly.upgrade',
        title: 'Upgrade planning: version and end of life',
        explanation:
          "The server's major and minor version against the PostgreSQL releases: minor releases behind, and when the major version reaches end of life.",
      }),
      checkStep('upgrade.extensions', {
        id: 'maintenance.quarterly.upgrade-extensions',
        title: 'Upgrade planning: extensions',
        explanation: 'Installed extensions with a newer version available, and those that block or need care in a major upgrade.',
      }),
      checkStep('upgrade.features', {
        id: 'maintenance.quarterly.upgrade-features',
        title: 'Upgrade planning: what the next major version changes',
        explanation: 'Settings and features this database uses that the next major versions remove or change.',
      }),
      manualStep('Review this runbook and its contacts; update what changed.', {
        id: 'maintenance.quarterly.docs',
        title: 'Documentation review',
        explanation: 'The runbook is only useful if it is current.',
      }),
    ],
  },
];

// The security audit (issue #23): each step is a check the security domain registers. Every
// finding is a row with the object named and the fix as SQL (shown, never run). The classes
// that are CRITICAL are said in each step's explanation; every other finding is a WARNING.
const SUPABASE_ONLY = 'Supabase-shaped databases only (the anon and authenticated roles and the auth schema exist); not applicable elsewhere.';
const SECURITY: Procedure[] = [
  {
    id: 'security.audit',
    title: 'Security audit',
    section: 'Maintenance Calendar',
    checklist: 'security',
    description:
      "Roles, passwords, privileges, settings, row level security and the Data API's exposure on Supabase, and the app's own audit trail since the last signed-off audit.",
    steps: [
      checkStep('security.rls-disabled', {
        id: 'security.rls-disabled',
        title: 'Exposed tables without row level security',
        explanation: `Tables in the schemas the Data API serves (public and pgrst.db_schemas) with RLS off: anyone with the API key reads and writes them as far as the grants allow. CRITICAL when anon or authenticated hold privileges on the table and it has rows; WARNING otherwise. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.rls-no-policy', {
        id: 'security.rls-no-policy',
        title: 'Row level security without a policy',
        explanation: `RLS is on but no policy exists: the API returns nothing and accepts no write (locked, not leaking). WARNING. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.anon-write-policies', {
        id: 'security.anon-write-policies',
        title: 'Policies that let anon write',
        explanation: `Permissive INSERT, UPDATE, DELETE or ALL policies for anon or PUBLIC on exposed tables and storage.objects. CRITICAL when anon also holds the table privilege; WARNING when only the grant is missing. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.views-bypass-rls', {
        id: 'security.views-bypass-rls',
        title: 'Views that bypass row level security',
        explanation: `Views in exposed schemas owned by a superuser or BYPASSRLS role without security_invoker: they read past every policy. CRITICAL when anon can select; WARNING when only authenticated can. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.function-search-path', {
        id: 'security.function-search-path',
        title: 'Functions with a mutable search_path',
        explanation: `The project's functions (not the platform's or an extension's) with no search_path of their own resolve names by the caller's. WARNING. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.definer-functions-exposed', {
        id: 'security.definer-functions-exposed',
        title: 'SECURITY DEFINER functions the API can call',
        explanation: `They run with their owner's rights for whoever calls them through /rpc. CRITICAL when anon can execute; WARNING when only authenticated can. Trigger functions are left out (they cannot be called). ${SUPABASE_ONLY}`,
      }),
      checkStep('security.extensions-in-public', {
        id: 'security.extensions-in-public',
        title: 'Extensions installed in public',
        explanation: `Their functions are served by the API with the project's own. WARNING. ${SUPABASE_ONLY}`,
      }),
      checkStep('security.unindexed-foreign-keys', {
        id: 'security.unindexed-foreign-keys',
        title: 'Foreign keys without a covering index',
        explanation:
          "A delete or key update on the referenced table scans the referencing one and holds its locks longer. WARNING. Every database (on Supabase, the platform's schemas are left out).",
      }),
      checkStep('security.privileged-roles', {
        id: 'security.privileged-roles',
        title: 'Superusers and roles with BYPASSRLS or CREATEROLE',
        explanation:
          "Beyond the expected set: the bootstrap superuser, and on Supabase the platform's own roles. A superuser beyond it is CRITICAL; BYPASSRLS or CREATEROLE beyond it, WARNING.",
      }),
      checkStep('security.password-expiry', {
        id: 'security.password-expiry',
        title: 'Login roles whose password never expires',
        explanation: 'Login roles without VALID UNTIL (the bootstrap superuser and, on Supabase, the platform roles left out). WARNING.',
      }),
      checkStep('security.password-hashes', {
        id: 'security.password-hashes',
        title: 'Passwords stored as md5',
        explanation:
          'Login roles whose password hash is md5, not SCRAM-SHA-256. WARNING. Reading hashes needs superuser (pg_authid): without it the step is UNKNOWN and says so.',
      }),
      checkStep('security.public-privileges', {
        id: 'security.public-privileges',
        title: 'Privileges granted to PUBLIC',
        explanation: 'CREATE on a schema, and EXECUTE on a SECURITY DEFINER function, granted to every role. WARNING.',
      }),
      checkStep('security.settings', {
        id: 'security.settings',
        title: 'Insecure settings',
        explanation: 'ssl off, or password_encryption = md5. WARNING.',
      }),
      checkStep('security.audit-trail', {
        id: 'security.audit-trail',
        title: "The app's audit trail",
        explanation:
          'On this profile, since its last signed-off security audit (or 30 days): destructive actions, statements run past the guard, actions a guard refused, elevated sessions. WARNING when there is anything to review.',
      }),
    ],
  },
];

export const ROUTINE_PROCEDURES: Procedure[] = [...MONITORING, ...TROUBLESHOOTING, ...CALENDAR, ...SECURITY];
