// The colour band across the top of every screen: which environment every click lands on,
// and while a read-only production profile is elevated (issue #19), that it is and for how
// much longer, counting down, with "End now".
import { Box, Button, Group, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Profile, ProfileElevation } from '@contract/models';
import { api } from '../shared/api/client';
import { useAppState } from '../shared/state/app-state';
import { liveElevation, timeLeft } from '../shared/state/elevation';
import { ENV_STYLES } from '../shared/theme';
import { IconLock } from '../shared/components/icons';

function Elevated({ profile, elevation }: { profile: Profile; elevation: ProfileElevation }) {
  const { reloadProfiles } = useAppState();
  const [now, setNow] = useState(() => Date.now());
  const [ending, setEnding] = useState(false);
  useEffect(() => {
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      // The core ended it at the same moment; the list then shows it gone.
      if (Date.parse(elevation.expiresAt) <= t) void reloadProfiles().catch(() => undefined);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [elevation.expiresAt, reloadProfiles]);
  async function endNow() {
    setEnding(true);
    try {
      await api.endElevation({ profileId: profile.id });
    } finally {
      await reloadProfiles().catch(() => undefined);
      setEnding(false);
    }
  }
  const what = `${elevation.mode === 'action' ? 'one action · ' : ''}${timeLeft(elevation, now)} left`;
  return (
    <Group gap={8} wrap="nowrap" ml="auto" data-testid="env-band-elevation">
      <Text
        size="sm"
        fw={800}
        px={8}
        bg="yellow.4"
        c="black"
        style={{ borderRadius: 4, whiteSpace: 'nowrap', letterSpacing: '0.06em' }}
        title={`Reason: ${elevation.reason}${elevation.role ? ` · writes as ${elevation.role}` : ''} · ends ${new Date(elevation.expiresAt).toLocaleTimeString()}`}
      >
        ELEVATED · {what}
      </Text>
      <Button size="compact-xs" variant="white" color="dark" onClick={() => void endNow()} loading={ending}>
        End now
      </Button>
    </Group>
  );
}

export const ENV_BAND_HEIGHT = 30;

export function EnvBand({ profile }: { profile: Profile | null }) {
  if (!profile) {
    return (
      <Box
        role="status"
        aria-label="Environment: no profile selected"
        h={ENV_BAND_HEIGHT}
        px="md"
        bg="var(--mantine-color-default-border)"
        style={{ display: 'flex', alignItems: 'center' }}
      >
        <Text size="sm" fw={600} c="dimmed">
          NO PROFILE SELECTED — pick one in the header or add one under Profiles
        </Text>
      </Box>
    );
  }
  const style = ENV_STYLES[profile.env];
  const elevation = liveElevation(profile);
  return (
    <Box
      role="status"
      aria-label={`Environment: ${style.label}`}
      data-env={profile.env}
      h={ENV_BAND_HEIGHT}
      px="md"
      bg={`var(--mantine-color-${style.color}-filled)`}
      c="white"
      style={{ display: 'flex', alignItems: 'center' }}
    >
      <Group gap="md" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
        <Text fw={800} size="sm" style={{ letterSpacing: '0.12em' }} data-testid="env-band-label">
          {style.label}
        </Text>
        <Text size="sm" fw={500} truncate>
          {profile.name} · {profile.host}:{profile.port}/{profile.database}
        </Text>
        {elevation ? <Elevated profile={profile} elevation={elevation} /> : null}
        <Text size="sm" ml={elevation ? 0 : 'auto'} fw={600} style={{ display: 'flex', alignItems: 'center', gap: 6, whiteSpace: 'nowrap' }}>
          {elevation ? (
            'READ-WRITE (ELEVATED)'
          ) : profile.readOnly ? (
            <>
              <IconLock size={14} /> READ-ONLY
            </>
          ) : (
            'READ-WRITE'
          )}
        </Text>
      </Group>
    </Box>
  );
}
