// The runbook's other sections as procedures: emergencies, backups, disaster recovery,
// performance monitoring, troubleshooting and the maintenance calendar. Reads and writes
// reuse the query console's built-in snippets; shell work (pg_dump, psql) is one of the
// app's built-in actions; dashboards and phone calls are manual steps.
import type { Procedure } from './model';
import { actionStep, manualStep, snippetStep } from './builtin-steps';

const PERFORM_MAINTENANCE =
  'The runbook calls perform_routine_maintenance(); VACUUM cannot run inside a function (nor inside a transaction block), so this step is the VACUUM statement itself, run outside a transaction.';

const EMERGENCY: Procedure[] = [
  {
    id: 'emergency.database-down',
    title: 'Database down (3 AM alert)',
    section: 'Emergency Procedures',
    description: 'Immediate actions, recovery time objective 15 minutes.',
    steps: [
      manualStep('Log in to the Supabase console and check the project status and health metrics.', {
        id: 'emergency.database-down.dashboard',
        title: 'Check the Supabase dashboard',
        explanation: 'Tells a platform outage from a problem in our database.',
      }),
      snippetStep('connections-now', {
        id: 'emergency.database-down.connections',
        title: 'Connections right now',
        explanation: 'Whether the server answers, and how close it is to max_connections.',
      }),
      snippetStep('lock-waits', {
        id: 'emergency.database-down.lock-waits',
        title: 'Sessions waiting on a lock',
        explanation: 'A pile-up behind one lock looks like an outage from the application.',
      }),
      snippetStep('database-size', { id: 'emergency.database-down.size', title: 'Database size', explanation: 'A full disk stops every write.' }),
      snippetStep('idle-in-transaction', {
        id: 'emergency.database-down.idle-in-transaction',
        title: 'Sessions idle in a transaction',
        explanation: 'Review them before ending any.',
      }),
      snippetStep('terminate-idle-in-transaction', {
        id: 'emergency.database-down.terminate-idle',
        kind: 'destructive',
        title: 'End sessions idle in a transaction for 10+ minutes',
        explanation: 'Frees the connections and locks they hold; their transactions are rolled back.',
        correction:
          'The runbook filters on query_start, the start of the last statement; this uses state_change, when the session went idle, so a long-idle session whose last statement started recently is not missed (and the reverse).',
      }),
      manualStep('Supabase support if the platform is at fault; otherwise the dev team lead, then the system administrator.', {
        id: 'emergency.database-down.escalate',
        title: 'Escalate',
        explanation: 'Who to call when the steps above did not bring the database back.',
      }),
    ],
  },
  {
    id: 'emergency.high-load',
    title: 'High CPU or memory usage',
    section: 'Emergency Procedures',
    description: 'Find the statements eating the server and stop them.',
    steps: [
      snippetStep('long-running-queries', {
        id: 'emergency.high-load.long-queries',
        title: 'Long-running queries',
        explanation: 'Statements running now, oldest first; note the pid of the culprit.',
      }),
      actionStep('cancel-session', 'write', {
        id: 'emergency.high-load.cancel',
        title: 'Cancel the statement',
        explanation: 'Stops the statement and keeps the session connected (pg_cancel_backend). Try this first.',
      }),
      actionStep('terminate-session', 'destructive', {
        id: 'emergency.high-load.terminate',
        title: 'Terminate the session',
        explanation: 'Ends the session and rolls back its transaction (pg_terminate_backend), when cancelling did not help.',
      }),
      snippetStep('vacuum-analyze', {
        id: 'emergency.high-load.maintenance',
        kind: 'write',
        title: 'Emergency maintenance',
        explanation: 'Fresh statistics often fix a plan that went bad after a bulk change.',
        correction: PERFORM_MAINTENANCE,
      }),
    ],
  },
  {
    id: 'emergency.storage-critical',
    title: 'Storage space critical',
    section: 'Emergency Procedures',
    description: 'See where the space went, then free it.',
    steps: [
      snippetStep('database-size', {
        id: 'emergency.storage.size',
        title: 'Database size',
        explanation: "Against the plan's limit.",
        correction: 'The runbook calls get_storage_usage_stats(), a helper of the original project; these steps read the sizes directly.',
      }),
      snippetStep('largest-tables', {
        id: 'emergency.storage.largest-tables',
        title: 'Largest tables',
        explanation: 'Where the space goes, with indexes and TOAST.',
      }),
      manualStep('In Supabase Storage, find design images no design refers to any more and delete them.', {
        id: 'emergency.storage.orphaned-images',
        title: 'Clean up orphaned images',
        explanation: 'The runbook calls cleanup_orphaned_images(); image files live in Supabase Storage, outside the database.',
      }),
      snippetStep('archive-candidates', {
        id: 'emergency.storage.archive-candidates',
        title: 'Delivered orders older than two years',
        explanation: 'How many orders the next step would mark.',
      }),
      snippetStep('archive-old-orders', {
        id: 'emergency.storage.archive-orders',
        kind: 'write',
        title: 'Mark old delivered orders as archived',
        explanation: 'Appends [ARCHIVED] to their notes, once (it can be run again).',
      }),
    ],
  },
];

const BACKUP: Procedure[] = [
  {
    id: 'backup.automated',
    title: 'Automated backups',
    section: 'Backup Procedures',
    description: 'Supabase takes the backups; check that it does.',
    steps: [
      manualStep('Supabase dashboard > Settings > Database: Point-in-Time Recovery is enabled and the last backup timestamp is recent.', {
        id: 'backup.automated.status',
        title: 'Check backup status',
        explanation: 'Only the platform knows when it last backed up.',
      }),
      actionStep(
        'backup',
        'read',
        {
          id: 'backup.automated.pre-operation',
          title: 'Backup before a major operation',
          explanation: 'A full backup right before an inventory import or a migration.',
          correction:
            "The runbook records create_backup_metadata('pre_operation', …), a helper of the original project that takes no backup itself; the app takes a real one and keeps it in its catalog.",
        },
        { kind: 'full' },
      ),
      actionStep('verify-backup', 'read', {
        id: 'backup.automated.weekly-validation',
        title: 'Weekly backup validation',
        explanation: 'Checks the latest archive can be read back.',
      }),
    ],
  },
  {
    id: 'backup.manual',
    title: 'Manual backup',
    section: 'Backup Procedures',
    description: 'Our own copy, independent of the platform.',
    steps: [
      actionStep(
        'backup',
        'read',
        { id: 'backup.manual.schema', title: 'Schema backup', explanation: 'pg_dump --schema-only --no-owner --no-privileges.' },
        { kind: 'schema' },
      ),
      actionStep(
        'backup',
        'read',
        { id: 'backup.manual.data', title: 'Data backup', explanation: 'pg_dump --data-only --no-owner --no-privileges.' },
        { kind: 'data' },
      ),
      manualStep('Download the critical design images and product photos with the Supabase Storage API or dashboard.', {
        id: 'backup.manual.storage',
        title: 'Storage backup',
        explanation: 'Files in Supabase Storage are not in a database backup.',
      }),
    ],
  },
  {
    id: 'backup.validation',
    title: 'Backup validation (monthly)',
    section: 'Backup Procedures',
    cadence: 'monthly',
    description: 'A backup counts once it has been restored.',
    steps: [
      actionStep('verify-backup', 'read', {
        id: 'backup.validation.integrity',
        title: 'Integrity check',
        explanation: 'The archive reads back completely and matches its checksum.',
        correction: 'The runbook calls validate_backup_integrity(), a helper of the original project; the app checks the archive itself.',
      }),
      actionStep('restore-drill', 'read', {
        id: 'backup.validation.test-restore',
        title: 'Test restore',
        explanation: 'Restores into a local scratch server, never a shared one, and times it.',
      }),
      snippetStep('row-counts', {
        id: 'backup.validation.row-counts',
        title: 'Row counts to compare',
        explanation: 'Run on the source and on the restored copy.',
      }),
      manualStep('Point a staging copy of the application at the restored database and try a design and an order.', {
        id: 'backup.validation.app-test',
        title: 'Test application functionality',
        explanation: 'Data that restores is not yet an application that works.',
      }),
    ],
  },
];

const RECOVERY: Procedure[] = [
  {
    id: 'recovery.corruption',
    title: 'Scenario 1: database corruption',
    section: 'Disaster Recovery',
    description: 'Recovery time objective 2 hours, recovery point objective 15 minutes.',
    steps: [
      snippetStep('recovery-status', {
        id: 'recovery.corruption.assess',
        title: 'Assessment',
        explanation: 'Whether the server is recovering or a standby, and its version.',
        correction: 'The runbook calls validate_recovery(), a helper of the original project; these steps check the same from the catalog.',
      }),
      snippetStep('invalid-objects', {
        id: 'recovery.corruption.invalid-objects',
        title: 'Invalid indexes and constraints',
        explanation: 'Damage the catalog can show.',
      }),
      manualStep(
        'Supabase dashboard: choose a recovery point within the last 7 days and start the restore.',
        {
          id: 'recovery.corruption.pitr',
          title: 'Point-in-time recovery',
          explanation: 'Done by the platform.',
        },
        'destructive',
      ),
      snippetStep('newest-rows', {
        id: 'recovery.corruption.newest-rows',
        title: 'Post-recovery: how recent is the data',
        explanation: 'The newest row of each table shows the real recovery point.',
      }),
      snippetStep('row-counts', {
        id: 'recovery.corruption.row-counts',
        title: 'Post-recovery: row counts',
        explanation: 'Compare with the counts from before the incident.',
      }),
    ],
  },
  {
    id: 'recovery.platform-failure',
    title: 'Scenario 2: complete platform failure',
    section: 'Disaster Recovery',
    description: 'Recovery time objective 4 hours, recovery point objective 1 hour.',
    steps: [
      manualStep('Provision a new Supabase project, configure its connection strings, update DNS if needed, and add it as a profile here.', {
        id: 'recovery.platform-failure.setup',
        title: 'Emergency setup',
        explanation: 'A new empty database to restore into.',
      }),
      actionStep('restore', 'destructive', {
        id: 'recovery.platform-failure.restore',
        title: 'Restore schema and data',
        explanation: 'From the latest manual backup into the new database (psql for plain SQL, pg_restore for archives).',
      }),
      manualStep("Update the application's environment variables, test every endpoint and sign-in.", {
        id: 'recovery.platform-failure.reconfigure',
        title: 'Application reconfiguration',
        explanation: 'The database is back once the application uses it.',
      }),
    ],
  },
  {
    id: 'recovery.drill',
    title: 'Disaster recovery drill (quarterly)',
    section: 'Disaster Recovery',
    cadence: 'quarterly',
    description: 'Practice the restore and time it.',
    steps: [
      actionStep('restore-drill', 'read', {
        id: 'recovery.drill.run',
        title: 'Timed restore drill',
        explanation: 'Restores the latest backup offline and measures the time against the objective.',
        correction: 'The runbook calls prepare_disaster_recovery(), a helper of the original project; the drill needs nothing on the server.',
      }),
      manualStep('Write down the timings and problems, update these procedures, and brief the team on any change.', {
        id: 'recovery.drill.review',
        title: 'Post-drill review',
        explanation: 'A drill is only useful if the procedure gets better.',
      }),
    ],
  },
];

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
      snippetStep('largest-tables', { id: 'maintenance.monthly.capacity', title: 'Capacity planning review', explanation: 'Growth of the largest tables.' }),
      manualStep('Review roles, grants and who can log in; rotate credentials that are due.', {
        id: 'maintenance.monthly.security',
        title: 'Security audit',
        explanation: 'Also read the audit trail for unexpected actions.',
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
      snippetStep('recovery-status', {
        id: 'maintenance.quarterly.upgrade',
        title: 'Database upgrade planning',
        explanation: 'The server version to plan from.',
      }),
      manualStep('Review this runbook and its contacts; update what changed.', {
        id: 'maintenance.quarterly.docs',
        title: 'Documentation review',
        explanation: 'The runbook is only useful if it is current.',
      }),
    ],
  },
];

export const OTHER_PROCEDURES: Procedure[] = [...EMERGENCY, ...BACKUP, ...RECOVERY, ...MONITORING, ...TROUBLESHOOTING, ...CALENDAR];
