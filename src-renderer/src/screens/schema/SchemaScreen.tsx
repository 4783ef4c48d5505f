// The schema browser (issue #19): a lazy tree of the active database's schemas and their
// objects, and the selected object's details and DDL. (Being built.)
import { Stack, Text, Title } from '@mantine/core';

export function SchemaScreen() {
  return (
    <Stack>
      <Title order={2}>Schema</Title>
      <Text c="dimmed">The schema browser is being built.</Text>
    </Stack>
  );
}
