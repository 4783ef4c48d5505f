// History: the snapshots the Overview stored (at most one a minute per profile), one chart
// per figure over the chosen range. Charts reload when the Overview refreshes, so a new
// snapshot shows without a click. Theme colours keep them readable in light and dark.
import { LineChart } from '@mantine/charts';
import { Card, Center, Group, Loader, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useCallback, useMemo, useState } from 'react';
import type { HistoryMetric } from '@contract/monitoring';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { ForecastPanel } from './ForecastPanel';
import { HISTORY_METRICS, HISTORY_RANGES, axisDomain, chartRows, formatAxisTick, formatMetric, trendText } from './performance-model';
import { useLoad } from './usePerformance';

function ignoreError(): void {
  // Shown in the chart's own alert; history needs no password.
}

function MetricChart({
  profileId,
  metric,
  label,
  color,
  hours,
  refreshKey,
}: {
  profileId: string;
  metric: HistoryMetric;
  label: string;
  color: string;
  hours: number;
  refreshKey: string | null;
}) {
  // refreshKey is not sent: listing it makes a new Overview snapshot reload the chart.
  const load = useCallback(() => api.getMetricHistory({ profileId, metric, hours }), [profileId, metric, hours, refreshKey]);
  const history = useLoad(load, true, ignoreError);
  const rows = useMemo(() => (history.data ? chartRows(history.data, hours) : []), [history.data, hours]);
  const trend = history.data ? trendText(history.data) : null;
  const format = useCallback((v: number) => formatMetric(metric, v), [metric]);
  const tick = useCallback((v: number) => formatAxisTick(metric, v), [metric]);
  return (
    <Card withBorder padding="sm" radius="md" component="section" aria-label={`${label} history`}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {label}
        </Title>
        <Text size="xs" c="dimmed">
          {rows.length} {rows.length === 1 ? 'snapshot' : 'snapshots'}
        </Text>
      </Group>
      {history.error ? <ErrorAlert title="Cannot read the history" error={history.error} /> : null}
      {history.data === null && !history.error ? (
        <Center h={180}>
          <Loader size="sm" aria-label={`Loading ${label} history`} />
        </Center>
      ) : rows.length === 0 ? (
        <Center h={180}>
          <Text size="sm" c="dimmed">
            No snapshots in this range yet: the Overview stores one (at most a minute apart) each time it refreshes.
          </Text>
        </Center>
      ) : (
        <>
          <LineChart
            h={180}
            data={rows}
            dataKey="label"
            series={[{ name: 'value', label, color }]}
            valueFormatter={format}
            curveType="linear"
            withDots={rows.length <= 30}
            connectNulls
            gridAxis="xy"
            // Connections are whole numbers: no 0.25-connection ticks that round to "0, 0, 1, 1".
            yAxisProps={{ width: 80, domain: axisDomain(metric), tickFormatter: tick, allowDecimals: metric !== 'connections' }}
            role="img"
            aria-label={`${label} chart`}
          />
          <Text size="xs" c="dimmed" mt={4}>
            {trend ?? (rows.length === 1 ? 'One snapshot so far: the trend shows from the second.' : '')}
          </Text>
        </>
      )}
    </Card>
  );
}

export function HistoryTab({ profileId, refreshKey }: { profileId: string; refreshKey: string | null }) {
  const [hours, setHours] = useState(24);
  return (
    <Stack gap="md">
      <ForecastPanel profileId={profileId} refreshKey={refreshKey} />
      <Group gap="sm">
        <Text size="sm">Range</Text>
        <SegmentedControl
          size="xs"
          aria-label="History range"
          value={String(hours)}
          onChange={(v) => setHours(Number(v))}
          data={HISTORY_RANGES.map((r) => ({ value: String(r.hours), label: r.label }))}
        />
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        {HISTORY_METRICS.map((m) => (
          <MetricChart key={m.metric} profileId={profileId} metric={m.metric} label={m.label} color={m.color} hours={hours} refreshKey={refreshKey} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
