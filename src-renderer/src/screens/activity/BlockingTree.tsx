// Who blocks whom, from pg_blocking_pids: each root blocker first (it is the one to act on),
// with what it holds, for how long and its query, then its waiters nested below it. Every
// node has Cancel and Terminate.
import { Badge, Box, Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { BlockingNode, SessionRow } from '@contract/activity';
import { formatDuration } from '../../shared/format/time';
import { HIDDEN_QUERY_TEXT, targetOfNode, type SignalAction, type SignalTarget } from './activity-model';
import { WHOLE_BADGE } from '../../shared/components/table-styles';
import { QueryCell } from './SessionsTable';

interface NodeProps {
  node: BlockingNode;
  sessions: SessionRow[];
  depth: number;
  onSignal: (action: SignalAction, target: SignalTarget) => void;
}

function NodeView({ node, sessions, depth, onSignal }: NodeProps) {
  const root = depth === 0;
  const target = targetOfNode(node, sessions);
  const label = root ? `Root blocker ${node.pid}` : `Waiter ${node.pid}`;
  return (
    <Box
      role="treeitem"
      aria-level={depth + 1}
      aria-label={label}
      aria-expanded={node.waiters.length > 0 ? true : undefined}
      pl={root ? 0 : 'lg'}
      style={root ? undefined : { borderLeft: '2px solid var(--mantine-color-red-4)' }}
    >
      <Paper withBorder={root} p={root ? 'sm' : 'xs'} bg={root ? 'var(--mantine-color-red-light)' : undefined}>
        <Stack gap={4}>
          <Group gap="xs" justify="space-between" wrap="nowrap" align="flex-start">
            <Group gap="xs" style={{ minWidth: 0, flex: 1 }}>
              {root ? (
                <Badge color="red" variant="filled" style={WHOLE_BADGE}>
                  Root blocker
                </Badge>
              ) : (
                <Badge color="orange" variant="light" style={WHOLE_BADGE}>
                  waiting
                </Badge>
              )}
              <Text size="sm" fw={600} ff="monospace">
                pid {node.pid}
              </Text>
              <Text size="sm">
                {node.user ?? '—'} · {node.application || '—'} · {node.state ?? 'no state'}
              </Text>
              <Text size="sm" c="dimmed">
                {root ? 'in its transaction for' : 'waiting for'} {formatDuration(node.durationMs)}
              </Text>
            </Group>
            {/* pid 0 is a prepared transaction: no backend to signal (its query says what to do). */}
            {node.pid > 0 ? (
              <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
                <Button size="compact-xs" variant="light" color="orange" onClick={() => onSignal('cancel', target)} aria-label={`Cancel ${node.pid}`}>
                  Cancel
                </Button>
                <Button
                  size="compact-xs"
                  variant={root ? 'filled' : 'light'}
                  color="red"
                  onClick={() => onSignal('terminate', target)}
                  aria-label={`Terminate ${node.pid}`}
                >
                  Terminate
                </Button>
              </Group>
            ) : null}
          </Group>
          {node.holds.length > 0 ? <Text size="xs">Holds: {node.holds.join('; ')}</Text> : null}
          {node.waitingFor ? <Text size="xs">Waits for: {node.waitingFor}</Text> : null}
          {target.hidden ? (
            <Text size="xs" c="dimmed" fs="italic">
              {HIDDEN_QUERY_TEXT}
            </Text>
          ) : (
            <QueryCell row={{ query: node.query, hidden: false }} expanded={false} />
          )}
        </Stack>
      </Paper>
      {node.waiters.length > 0 ? (
        <Stack gap={4} mt={4} role="group" aria-label={`Waiting on ${node.pid}`}>
          {node.waiters.map((w) => (
            <NodeView key={w.pid} node={w} sessions={sessions} depth={depth + 1} onSignal={onSignal} />
          ))}
        </Stack>
      ) : null}
    </Box>
  );
}

export function BlockingTree({
  blocking,
  sessions,
  onSignal,
}: {
  blocking: BlockingNode[];
  sessions: SessionRow[];
  onSignal: (action: SignalAction, target: SignalTarget) => void;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-label="Blocking">
      {blocking.length === 0 ? (
        <Text size="sm" c="dimmed">
          No session is waiting on another’s lock right now.
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm">Acting on the root blocker releases everything below it. Terminating it rolls back its open transaction.</Text>
          <Stack gap="md" role="tree" aria-label="Blocking tree">
            {blocking.map((root) => (
              <NodeView key={root.pid} node={root} sessions={sessions} depth={0} onSignal={onSignal} />
            ))}
          </Stack>
        </Stack>
      )}
    </Paper>
  );
}
