// Drill history: a table per profile (or all), each drill's report a click away, and the
// trend of restore times per profile as small bars (plain divs; red when over the RTO).
import { Badge, Button, Group, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { DrillRecord } from '@contract/restore';
import type { Profile } from '@contract/models';
import { formatDuration, formatTime } from '../../shared/format/time';
import { ageText, drillHistory, drillTrends, objectiveBadge, type ProfileTrend } from './restore-model';
import { StatusBadge } from './RestoreProgress';
import { withVerdicts } from '@contract/verdict';
import { VerdictBadge } from '../../shared/components/VerdictBadge';

const ALL = '__all__';
const BAR_AREA = 48;

function Met({ met, label }: { met: boolean | null; label: string }) {
  const badge = objectiveBadge(met);
  return (
    <Badge size="sm" variant="light" color={badge.color} aria-label={`${label}: ${badge.label}`}>
      {badge.label}
    </Badge>
  );
}

function Trend({ trend }: { trend: ProfileTrend }) {
  const words = trend.direction ? `latest ${formatDuration(trend.latestMs)}, ${trend.direction} than before` : `latest ${formatDuration(trend.latestMs)}`;
  return (
    <Group
      gap="md"
      align="flex-end"
      wrap="nowrap"
      role="img"
      aria-label={`Restore times of ${trend.profile}: ${trend.bars.length} drill${trend.bars.length === 1 ? '' : 's'}, ${words}`}
    >
      <Text size="sm" w={180} style={{ flexShrink: 0 }}>
        {trend.profile}
      </Text>
      <div style={{ display: 'flex', alignItems: 'flex-end', gap: 3, height: BAR_AREA }}>
        {trend.bars.map((bar) => (
          <Tooltip key={bar.id} label={`${formatTime(bar.at)}: ${formatDuration(bar.restoreMs)}`}>
            <div
              style={{
                width: 8,
                height: `${(bar.height / 100) * BAR_AREA}px`,
                borderRadius: 2,
                background: bar.overTarget ? 'var(--mantine-color-red-6)' : 'var(--mantine-color-blue-5)',
              }}
            />
          </Tooltip>
        ))}
      </div>
      <Text size="xs" c="dimmed">
        {words}
      </Text>
    </Group>
  );
}

export interface DrillHistoryProps {
  drills: DrillRecord[];
  profiles: Profile[];
  filter: string | null;
  onFilter: (profileId: string | null) => void;
  onOpen: (drill: DrillRecord) => void;
}

export function DrillHistory({ drills, profiles, filter, onFilter, onOpen }: DrillHistoryProps) {
  const rows = drillHistory(drills, filter);
  const trends = drillTrends(rows);
  const options = [{ value: ALL, label: 'All profiles' }, ...profiles.map((p) => ({ value: p.id, label: p.name }))];
  return (
    <Stack gap="sm" role="region" aria-label="Drill history">
      <Group justify="space-between">
        <Text fw={600}>Drill history</Text>
        <Select
          aria-label="Drills of"
          data={options}
          value={filter ?? ALL}
          onChange={(v) => onFilter(v === ALL || v === null ? null : v)}
          allowDeselect={false}
          w={240}
          size="xs"
        />
      </Group>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No drills yet{filter ? ' for this profile' : ''}: run one above to prove a backup restores.
        </Text>
      ) : (
        <>
          {trends.length > 0 ? (
            <Stack gap="xs" aria-label="Restore time trend">
              <Text size="xs" c="dimmed">
                Restore time per drill, oldest to newest (red: over the RTO)
              </Text>
              {trends.map((t) => (
                <Trend key={t.profile} trend={t} />
              ))}
            </Stack>
          ) : null}
          <Table.ScrollContainer minWidth={760}>
            <Table striped withTableBorder verticalSpacing={4} aria-label="Drills">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Profile</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Restore</Table.Th>
                  <Table.Th>RTO</Table.Th>
                  <Table.Th>Backup age</Table.Th>
                  <Table.Th>RPO</Table.Th>
                  <Table.Th>Validation</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((d) => (
                  <Table.Tr key={d.id} aria-label={`Drill ${formatTime(d.startedAt)}`}>
                    <Table.Td>{formatTime(d.startedAt)}</Table.Td>
                    <Table.Td>{d.profileName ?? '—'}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={d.status} />
                    </Table.Td>
                    <Table.Td>{formatDuration(d.restoreMs)}</Table.Td>
                    <Table.Td>
                      <Met met={d.rtoMet} label="RTO" />
                    </Table.Td>
                    <Table.Td>{ageText(d.backupAgeMs)}</Table.Td>
                    <Table.Td>
                      <Met met={d.rpoMet} label="RPO" />
                    </Table.Td>
                    <Table.Td>{d.validation ? <VerdictBadge check={withVerdicts(d.validation)} /> : '—'}</Table.Td>
                    <Table.Td>
                      <Button size="compact-xs" variant="light" onClick={() => onOpen(d)}>
                        Report
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
