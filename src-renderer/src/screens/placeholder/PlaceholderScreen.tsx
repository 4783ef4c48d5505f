// Screens not built yet say what is coming and what to use meanwhile (the CLI already
// runs the same core against the same store, so nothing is lost by using it).
import { Alert, Code, List, Paper, Stack, Text, Title } from '@mantine/core';
import { IconInfo } from '../../components/icons';
import type { ScreenId } from '../../state/screens';

interface Plan {
  title: string;
  coming: string;
  issue?: number;
  meanwhile: string[];
}

// Only commands that exist today go under "meanwhile": a DBA at 3 AM must not be sent to
// a command that is not there yet.
const PSQL = 'psql "postgresql://USER@HOST:PORT/DB"   (see: ops-console profile show NAME)';

const PLANS: Record<Exclude<ScreenId, 'profiles' | 'audit' | 'query' | 'checklists'>, Plan> = {
  activity: {
    title: 'Activity',
    coming: 'Live sessions, blocking locks and long queries, with cancel / terminate and idle-connection cleanup (preview first).',
    issue: 8,
    meanwhile: [PSQL, "SELECT pid, usename, state, now() - query_start AS running_for, query FROM pg_stat_activity ORDER BY query_start;"],
  },
  performance: {
    title: 'Performance',
    coming: 'pg_stat_statements, index usage, table and database sizes, and their trends.',
    issue: 9,
    meanwhile: [PSQL, 'SELECT query, calls, total_exec_time, mean_exec_time FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 10;'],
  },
  backups: {
    title: 'Backups',
    coming: 'The backup wizard: pg_dump with version checks, real progress and verified archives.',
    issue: 6,
    meanwhile: ['pg_dump --format=custom --no-owner --no-privileges --file=backup.dump "postgresql://USER@HOST:PORT/DB"'],
  },
  restore: {
    title: 'Restore',
    coming: 'The restore wizard with post-restore validation, and timed restore drills against a local scratch PostgreSQL.',
    issue: 7,
    meanwhile: ['pg_restore --list backup.dump   (see what an archive holds before restoring it)'],
  },
};

export function PlaceholderScreen({ screen }: { screen: Exclude<ScreenId, 'profiles' | 'audit' | 'query' | 'checklists'> }) {
  const plan = PLANS[screen];
  return (
    <Stack gap="md">
      <Title order={2}>{plan.title}</Title>
      <Alert variant="light" color="gray" icon={<IconInfo />} title="Not in this window yet">
        <Text size="sm">
          {plan.coming} {plan.issue ? `The ${plan.title.toLowerCase()} screen arrives with issue #${plan.issue}.` : 'This screen arrives in a coming release.'}
        </Text>
      </Alert>
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">Meanwhile, from a terminal</Text>
        <Text size="sm" c="dimmed" mb="sm">The command line runs the same core against the same profiles and audit trail.</Text>
        <List spacing="xs">
          {plan.meanwhile.map((cmd) => (
            <List.Item key={cmd}><Code>{cmd}</Code></List.Item>
          ))}
        </List>
      </Paper>
    </Stack>
  );
}
