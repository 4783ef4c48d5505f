// The "this profile needs a password" prompt of the screens that poll a server (Activity,
// Performance): the password is kept by the screen for its own calls, never stored.
import { Alert, Button, Group, PasswordInput } from '@mantine/core';
import { useState } from 'react';

export function PasswordPrompt({ onSubmit }: { onSubmit: (password: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <Alert color="blue" variant="light" title="Password needed">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(value);
        }}
      >
        <Group align="flex-end" gap="sm">
          <PasswordInput
            label="Password for this profile"
            description="Used by this screen only, not stored."
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            w={320}
            autoComplete="off"
          />
          <Button type="submit">Connect</Button>
        </Group>
      </form>
    </Alert>
  );
}
