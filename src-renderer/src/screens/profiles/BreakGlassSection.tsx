// The profile's break-glass credential (issue #19): a second role that writes go through
// while a read-only production profile is elevated for an emergency. Its password is kept in
// the secret store like the profile's own, never in the profile.
import { PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import type { Profile } from '@contract/models';

export interface BreakGlassDraft {
  user: string;
  password: string;
}

export function breakGlassDraftOf(editing: Profile | null): BreakGlassDraft {
  return { user: editing?.breakGlassUser ?? '', password: '' };
}

/** The profile field and the secret to send: an empty role removes both. */
export function breakGlassInput(d: BreakGlassDraft, editing: Profile | null): { breakGlassUser: string | null; breakGlassSecret?: string } {
  const user = d.user.trim();
  if (user === '') return { breakGlassUser: null, ...(editing?.hasBreakGlassSecret ? { breakGlassSecret: '' } : {}) };
  return { breakGlassUser: user, ...(d.password !== '' ? { breakGlassSecret: d.password } : {}) };
}

export function BreakGlassSection({
  value,
  onChange,
  editing,
  env,
  error,
}: {
  value: BreakGlassDraft;
  onChange: (v: BreakGlassDraft) => void;
  editing: Profile | null;
  env: Profile['env'];
  error?: string | undefined;
}) {
  return (
    <Stack gap="sm" aria-label="Break-glass role" role="group">
      <Title order={3} size="h5">
        Break-glass role (emergencies on production)
      </Title>
      <Text size="sm" c="dimmed">
        A read-only production profile can be elevated for one action or a few minutes (typed name and a reason, audited). With a break-glass role, the elevated
        actions connect as that role; without one, they use the profile’s own role.
        {env !== 'production' ? ' Elevation only applies to production profiles.' : ''}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput
          label="Break-glass role"
          placeholder="e.g. ops_breakglass"
          value={value.user}
          onChange={(e) => onChange({ ...value, user: e.currentTarget.value })}
          error={error}
          spellCheck={false}
          autoComplete="off"
        />
        <PasswordInput
          label="Break-glass password"
          description={
            editing?.hasBreakGlassSecret
              ? 'Saved. Leave empty to keep it.'
              : 'Kept in the secret store, never in a file. Without it, ~/.pgpass is used for that role.'
          }
          value={value.password}
          onChange={(e) => onChange({ ...value, password: e.currentTarget.value })}
          disabled={value.user.trim() === ''}
          autoComplete="new-password"
        />
      </SimpleGrid>
    </Stack>
  );
}
