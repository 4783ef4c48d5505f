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

export const ROUTINE_PROCEDURES: Procedure[] = [...MONITORING, ...TROUBLESHOOTING, ...CALENDAR];
