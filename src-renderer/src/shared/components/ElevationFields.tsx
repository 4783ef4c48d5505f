// The Elevate part of an action's dialog on a read-only production profile (issue #19): the
// reason, how long, and which role the writes go through, in the same dialog as the typed
// name and the action itself. Used by Activity's Cancel/Terminate and the console's write path.
import { Alert, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import type { Profile } from '@contract/models';
import { ELEVATION_CHOICES, type ElevationChoice } from '../state/elevation';
import { IconLock } from './icons';

export interface ElevationDraft {
  reason: string;
  choice: ElevationChoice;
}

export const EMPTY_ELEVATION: ElevationDraft = { reason: '', choice: 'action' };

export function elevationReady(d: ElevationDraft): boolean {
  return d.reason.trim().length >= 3;
}

export function ElevationFields({ profile, value, onChange }: { profile: Profile; value: ElevationDraft; onChange: (v: ElevationDraft) => void }) {
  return (
    <Alert color="orange" variant="light" icon={<IconLock size={16} />} title={`Elevate ${profile.name}: it is read-only`} data-testid="elevation-fields">
      <Stack gap="xs">
        <Text size="sm">
          This production profile only observes. Elevating lets this action through, audited with your reason, and ends by itself.{' '}
          {profile.breakGlassUser ? (
            <>
              Writes go through the break-glass role <b>{profile.breakGlassUser}</b>.
            </>
          ) : (
            <>
              The profile has no break-glass role: the elevation uses its own role (<b>{profile.user}</b>).
            </>
          )}
        </Text>
        <TextInput
          label="Reason (recorded in the audit trail)"
          placeholder="e.g. INC-1234: checkout blocked by a lock"
          value={value.reason}
          onChange={(e) => onChange({ ...value, reason: e.currentTarget.value })}
          autoComplete="off"
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            For how long
          </Text>
          <SegmentedControl
            aria-label="Elevation duration"
            size="xs"
            data={ELEVATION_CHOICES}
            value={value.choice}
            onChange={(v) => onChange({ ...value, choice: v as ElevationChoice })}
          />
        </Stack>
      </Stack>
    </Alert>
  );
}
