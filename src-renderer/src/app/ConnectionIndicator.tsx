// The header's word on the active profile's server: up, down (with the connect error and
// since when) or not checked yet. It reads what the typed client recorded from every call
// that reached (or failed to reach) that server (shared/api/connection-state.ts), so a polling
// screen such as Activity turns it red within one refresh of the database going away.
import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { Profile } from '@contract/models';
import { useConnectionState, type ConnectionLevel } from '../shared/api/connection-state';
import { formatTime } from '../shared/format/time';

const LOOK: Record<ConnectionLevel, { color: string; word: string }> = {
  up: { color: 'teal', word: 'up' },
  down: { color: 'red', word: 'down' },
  unknown: { color: 'gray', word: 'not checked' },
};

export function ConnectionIndicator({ profile, compact }: { profile: Profile | null; compact: boolean }) {
  const state = useConnectionState(profile?.id ?? null);
  if (!profile) return null;
  const look = LOOK[state.level];
  const detail =
    state.level === 'up'
      ? `${profile.name} answered at ${formatTime(state.at ?? '')}.`
      : state.level === 'down'
        ? `${profile.name} could not be reached at ${formatTime(state.at ?? '')}${state.lastUpAt ? ` (last answered ${formatTime(state.lastUpAt)})` : ''}: ${state.error ?? ''}`
        : `Nothing has asked ${profile.name}'s server anything yet; screens that poll it (Activity, Performance) keep this current.`;
  return (
    <Tooltip
      label={
        <Stack gap={2} maw={380}>
          <Text size="xs" fw={600}>
            Database {look.word}
          </Text>
          <Text size="xs" style={{ whiteSpace: 'normal' }}>
            {detail}
          </Text>
        </Stack>
      }
      multiline
      withArrow
    >
      <Badge
        role="status"
        aria-label={`Database ${look.word}`}
        aria-description={detail}
        data-level={state.level}
        color={look.color}
        variant={state.level === 'down' ? 'filled' : 'light'}
        size="lg"
        style={{ flexShrink: 0 }}
      >
        {compact ? look.word : `Database ${look.word}`}
        {state.level === 'down' && state.at && !compact ? ` since ${formatTime(state.at).slice(11)}` : ''}
      </Badge>
    </Tooltip>
  );
}
