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

const PLANS: Record<Exclude<ScreenId, 'profiles' | 'audit'>, Plan> = {
  checklists: {
    title: 'Checklists',
    coming: 'The runbook checklists (morning 9 AM, evening 6 PM, maintenance calendar): run their SQL, judge the results against the alert thresholds and record sign-off.',
    meanwhile: ['ops-console checklist list', 'ops-console checklist run NAME --profile PROFILE', 'ops-console health PROFILE'],
  },
  query: {
    title: 'Query',
    coming: 'The query console: stream any result (a million rows stays responsive), read-only by default on production.',
    issue: 4,
    meanwhile: ['ops-console query PROFILE "SQL"', 'ops-console query PROFILE - --format csv < query.sql'],
  },
  activity: {
    title: 'Activity',
    coming: 'Live sessions, blocking locks and long queries, with cancel / terminate and idle-connection cleanup (preview first).',
    meanwhile: ['ops-console sessions list PROFILE', 'ops-console sessions cancel PROFILE PID', 'ops-console sessions cleanup PROFILE --idle-in-transaction 10 --dry-run'],
  },
  performance: {
    title: 'Performance',
    coming: 'pg_stat_statements, index usage, table and database sizes, and their trends.',
    meanwhile: ['ops-console health PROFILE', 'ops-console toolkit status PROFILE'],
  },
  backups: {
    title: 'Backups',
    coming: 'The backup wizard: pg_dump with version checks, real progress and verified archives.',
    meanwhile: ['ops-console backup PROFILE --kind full --format custom', 'ops-console backups list', 'ops-console backups verify ID'],
  },
  restore: {
    title: 'Restore',
    coming: 'The restore wizard with post-restore validation, and timed restore drills against a local scratch PostgreSQL.',
    meanwhile: ['ops-console restore BACKUP --sandbox', 'ops-console drill BACKUP'],
  },
};

export function PlaceholderScreen({ screen }: { screen: Exclude<ScreenId, 'profiles' | 'audit'> }) {
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
