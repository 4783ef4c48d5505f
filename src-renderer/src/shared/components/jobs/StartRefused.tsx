// The Run step when start said no (nothing ran): why, in the screen's words, and the way back.
import { Button, Group, Stack } from '@mantine/core';
import type { ReactNode } from 'react';

export function StartRefused({ onBack, children }: { onBack: () => void; children: ReactNode }) {
  return (
    <Stack gap="sm">
      {children}
      <Group>
        <Button variant="default" onClick={onBack}>
          Back to the wizard
        </Button>
      </Group>
    </Stack>
  );
}
