// The server log (issue #19): the active server's log with level filters and search, or how
// to make it readable when this role cannot read it. (Being built.)
import { Stack, Text, Title } from '@mantine/core';

export function ServerLogScreen() {
  return (
    <Stack>
      <Title order={2}>Server log</Title>
      <Text c="dimmed">The server log view is being built.</Text>
    </Stack>
  );
}
