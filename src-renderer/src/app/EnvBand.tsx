// The colour band across the top of every screen: which environment every click lands on.
import { Box, Group, Text } from '@mantine/core';
import type { Profile } from '@contract/models';
import { ENV_STYLES } from '../shared/theme';
import { IconLock } from '../shared/components/icons';

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
        <Text size="sm" ml="auto" fw={600} style={{ display: 'flex', alignItems: 'center', gap: 6, whiteSpace: 'nowrap' }}>
          {profile.readOnly ? (
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
