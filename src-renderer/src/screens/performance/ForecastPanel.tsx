// The capacity forecast (issue #23) on the History tab: for database size and connections'
// daily peak, the daily points, a dashed projection to the next threshold with its crossing
// day marked, and the thresholds as lines; for transaction-ID age and the fullest sequence,
// their one-line forecast. Local history only (no server call), reloaded with the Overview.
import { LineChart } from '@mantine/charts';
import { Badge, Card, Center, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import type { MetricForecast } from '@contract/forecast';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { crossingCaption, forecastChart } from './forecast-model';
import { STATUS_COLORS, STATUS_LABELS, formatUnit } from './performance-model';
import { useLoad } from './usePerformance';

function ignoreError(): void {
  // Shown in the panel's own alert; the forecast needs no password.
}

const CHARTED = new Set(['databaseSizeBytes', 'connections']);

function StatusBadge({ forecast }: { forecast: MetricForecast }) {
  return (
    <Badge color={STATUS_COLORS[forecast.status]} variant={forecast.status === 'ok' ? 'light' : 'filled'}>
      {STATUS_LABELS[forecast.status]}
    </Badge>
  );
}

function ForecastChartCard({ forecast, today }: { forecast: MetricForecast; today: string }) {
  const chart = useMemo(() => forecastChart(forecast, today), [forecast, today]);
  const format = useCallback((v: number) => formatUnit(v, forecast.unit), [forecast.unit]);
  const thresholds = forecast.crossings.filter((c) => c.level !== 'info');
  const referenceLines = [
    ...thresholds.map((c) => ({ y: c.value, label: `${c.label} ${format(c.value)}`, color: c.level === 'critical' ? 'red.6' : 'yellow.6' })),
    ...(chart.next && !chart.beyond && chart.next.date
      ? [{ x: chart.next.date, label: `${chart.next.label} ${chart.next.date}`, color: 'orange.6', labelPosition: 'insideTopRight' as const }]
      : []),
  ];
  return (
    <Card withBorder padding="sm" radius="md" component="section" aria-label={`${forecast.label} forecast`}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {forecast.label}: forecast
        </Title>
        <StatusBadge forecast={forecast} />
      </Group>
      {forecast.daily.length === 0 ? (
        <Center h={180}>
          <Text size="sm" c="dimmed">
            No snapshots yet: the Overview stores one each time it refreshes.
          </Text>
        </Center>
      ) : (
        <LineChart
          h={200}
          data={chart.rows}
          dataKey="day"
          series={[
            { name: 'actual', label: 'Daily', color: 'blue.6' },
            { name: 'projection', label: 'Projection', color: 'orange.6', strokeDasharray: '6 4' },
          ]}
          valueFormatter={format}
          curveType="linear"
          withDots={false}
          connectNulls
          gridAxis="xy"
          referenceLines={referenceLines}
          // Counts are whole numbers: no half-connection ticks that round to "2, 2".
          yAxisProps={{ width: 80, domain: [0, 'auto'], tickFormatter: format, allowDecimals: forecast.unit !== 'count' }}
          role="img"
          aria-label={`${forecast.label} forecast chart`}
        />
      )}
      <Text size="sm" mt={4}>
        {chart.next && chart.next.date ? crossingCaption(chart.next, format) : null}
        {chart.beyond ? ' Beyond the chart.' : ''}
      </Text>
      <Text size="xs" c="dimmed" mt={4}>
        {forecast.summary}
        {forecast.fit ? ` Window: ${forecast.windowReason}.` : ''}
      </Text>
    </Card>
  );
}

function ForecastLine({ forecast }: { forecast: MetricForecast }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" role="group" aria-label={`${forecast.label} forecast`}>
      <StatusBadge forecast={forecast} />
      <Text size="sm">{forecast.summary}</Text>
    </Group>
  );
}

export function ForecastPanel({ profileId, refreshKey }: { profileId: string; refreshKey: string | null }) {
  // refreshKey is not sent: listing it makes a new Overview snapshot reload the forecast.
  const load = useCallback(() => api.getCapacityForecast({ profileId }), [profileId, refreshKey]);
  const forecast = useLoad(load, true, ignoreError);
  if (forecast.error) return <ErrorAlert title="Cannot compute the capacity forecast" error={forecast.error} />;
  if (!forecast.data) {
    return (
      <Center h={120}>
        <Loader size="sm" aria-label="Loading the capacity forecast" />
      </Center>
    );
  }
  const data = forecast.data;
  const today = data.at.slice(0, 10);
  return (
    <Stack gap="sm" aria-label="Capacity forecast">
      <Text size="sm" c="dimmed">
        Capacity forecast: daily figures fitted by least squares over 7, 30 or 90 days; a threshold forecast within {data.warnWithinDays} days is a warning.
        Thresholds are this profile&apos;s (Checklists → Thresholds).
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        {data.metrics
          .filter((m) => CHARTED.has(m.metric))
          .map((m) => (
            <ForecastChartCard key={m.metric} forecast={m} today={today} />
          ))}
      </SimpleGrid>
      {data.metrics
        .filter((m) => !CHARTED.has(m.metric))
        .map((m) => (
          <ForecastLine key={m.metric} forecast={m} />
        ))}
    </Stack>
  );
}
