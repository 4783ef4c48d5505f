// The runbook's other sections as procedures: emergencies, backups and disaster recovery
// here; performance monitoring, troubleshooting and the maintenance calendar in
// builtin-procedures-routine.ts. Reads and writes
// reuse the query console's built-in snippets; shell work (pg_dump, psql) is one of the
// app's built-in actions; dashboards and phone calls are manual steps.
import type { Procedure } from './model';
import { actionStep, manualStep, snippetStep } from './builtin-steps';
import { ROUTINE_PROCEDURES } from './builtin-procedures-routine';

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

export const OTHER_PROCEDURES: Procedure[] = [...EMERGENCY, ...BACKUP, ...RECOVERY, ...ROUTINE_PROCEDURES];
