import { Code, Drawer, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AuditEntry } from '@contract/models';
import { formatDuration, formatTime } from './audit-tools';
import { OutcomeBadge } from './AuditTable';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

export function AuditDetailDrawer({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={entry ? `Audit entry #${entry.id}` : ''}
      closeButtonProps={{ 'aria-label': 'Close entry details' }}
    >
      {entry ? (
        <Stack gap="md">
          <Group gap="sm">
            <OutcomeBadge outcome={entry.outcome} />
            <Text ff="monospace" fw={600}>
              {entry.action}
            </Text>
          </Group>
          <Row label="Time">
            {formatTime(entry.at)}{' '}
            <Text span c="dimmed" size="xs">
              ({entry.at})
            </Text>
          </Row>
          <Row label="Actor">{entry.actor}</Row>
          <Row label="Profile">{entry.profile ?? '—'}</Row>
          <Row label="Duration">{formatDuration(entry.durationMs)}</Row>
          <Row label="Rows affected">{entry.rowsAffected ?? '—'}</Row>
          <Row label="Summary">{entry.summary}</Row>
          <Row label="Detail (SQL or command, passwords redacted)">
            {entry.detail ? (
              <Code block style={{ whiteSpace: 'pre-wrap' }}>
                {entry.detail}
              </Code>
            ) : (
              '—'
            )}
          </Row>
          <Row label="Error">
            {entry.error ? (
              <Text size="sm" c="red" style={{ whiteSpace: 'pre-wrap' }}>
                {entry.error}
              </Text>
            ) : (
              '—'
            )}
          </Row>
        </Stack>
      ) : null}
    </Drawer>
  );
}
