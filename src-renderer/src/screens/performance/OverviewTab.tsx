// Overview: each health check as a card coloured by its status (value, thresholds, source),
// then the plain figures. Refreshed by the screen's feed every 30 s unless paused.
import { Badge, Button, Card, Center, Group, Loader, SimpleGrid, Stack, Text } from '@mantine/core';
import type { HealthCheck, Overview } from '@contract/monitoring';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatTime } from '../../shared/format/time';
import { OVERVIEW_REFRESH_SEC, STATUS_COLORS, STATUS_LABELS, formatUnit, overviewFigures, sortChecks, thresholdText } from './performance-model';
import type { OverviewFeed } from './usePerformance';

function CheckCard({ check }: { check: HealthCheck }) {
  const color = STATUS_COLORS[check.status];
  return (
    <Card
      withBorder
      padding="sm"
      radius="md"
      role="group"
      aria-label={`${check.label}: ${STATUS_LABELS[check.status]}`}
      style={{ borderLeft: `4px solid var(--mantine-color-${color}-6)` }}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text fw={600} size="sm">
          {check.label}
        </Text>
        <Badge color={color} variant={check.status === 'ok' ? 'light' : 'filled'}>
          {STATUS_LABELS[check.status]}
        </Badge>
      </Group>
      <Text size="xl" fw={700} mt={4}>
        {formatUnit(check.value, check.unit)}
      </Text>
      <Text size="xs" c="dimmed">
        {thresholdText(check)}
      </Text>
      <Text size="sm" mt={4}>
        {check.summary}
      </Text>
      {check.source ? (
        <Text size="xs" c="dimmed" mt={4}>
          Source: {check.source}
        </Text>
      ) : null}
    </Card>
  );
}

function Figures({ overview }: { overview: Overview }) {
  return (
    <Card withBorder padding="sm" radius="md" component="section" aria-label="Figures">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        {overviewFigures(overview).map((f) => (
          <Stack key={f.label} gap={0}>
            <Text size="xs" c="dimmed">
              {f.label}
            </Text>
            <Text size="sm" fw={600}>
              {f.value}
            </Text>
            {f.hint ? (
              <Text size="xs" c="dimmed">
                {f.hint}
              </Text>
            ) : null}
          </Stack>
        ))}
      </SimpleGrid>
    </Card>
  );
}

export function RefreshBar({ feed }: { feed: OverviewFeed }) {
  const overview = feed.data;
  return (
    <Group gap="sm" role="toolbar" aria-label="Overview refresh">
      <Button size="xs" onClick={() => void feed.reload()} loading={feed.loading}>
        Refresh
      </Button>
      <Button size="xs" variant={feed.paused ? 'filled' : 'default'} aria-pressed={feed.paused} onClick={() => feed.setPaused(!feed.paused)}>
        {feed.paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
      </Button>
      <Text size="xs" c="dimmed" aria-live="polite">
        {feed.paused ? 'Auto-refresh paused' : `Every ${OVERVIEW_REFRESH_SEC} s`}
        {feed.at ? ` · updated ${formatTime(feed.at)}` : ''}
        {overview ? ` · ${overview.queries} queries, ${overview.queryMs} ms on the server · PostgreSQL ${overview.serverVersion}` : ''}
      </Text>
    </Group>
  );
}

export function OverviewTab({ feed }: { feed: OverviewFeed }) {
  const overview = feed.data;
  return (
    <Stack gap="md">
      <RefreshBar feed={feed} />
      {feed.error ? (
        <ErrorAlert title={overview ? 'The last refresh failed: showing the previous one' : 'Cannot read the overview'} error={feed.error} />
      ) : null}
      {overview ? (
        <>
          <Group gap="xs">
            <Text size="sm">Overall:</Text>
            <Badge size="lg" color={STATUS_COLORS[overview.status]} variant="filled">
              {STATUS_LABELS[overview.status]}
            </Badge>
            <Text size="xs" c="dimmed">
              Thresholds are the profile’s (Checklists → Alert thresholds).
            </Text>
          </Group>
          {overview.checks.length === 0 ? (
            <Text c="dimmed" size="sm">
              No checks were returned.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" role="list" aria-label="Health checks">
              {sortChecks(overview.checks).map((c) => (
                <div role="listitem" key={c.name}>
                  <CheckCard check={c} />
                </div>
              ))}
            </SimpleGrid>
          )}
          <Figures overview={overview} />
          {overview.figures.statsReset ? (
            <Text size="xs" c="dimmed">
              Statistics since {formatTime(overview.figures.statsReset)}.
            </Text>
          ) : null}
        </>
      ) : !feed.error ? (
        <Center h={160}>
          <Loader aria-label="Loading the overview" />
        </Center>
      ) : null}
    </Stack>
  );
}
