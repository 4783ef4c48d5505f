// Who to call, per the runbook's Emergency Contacts table.
import { ActionIcon, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconX } from '../../shared/components/icons';
import type { ContactRow } from './form-model';

export function ContactsEditor({ rows, onChange, errors }: { rows: ContactRow[]; onChange: (rows: ContactRow[]) => void; errors: string[] }) {
  function update(index: number, patch: Partial<ContactRow>) {
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  }
  return (
    <Stack gap="xs">
      <Table withTableBorder verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Contact</Table.Th>
            <Table.Th>Availability</Table.Th>
            <Table.Th aria-label="Remove" w={40} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, i) => (
            <Table.Tr key={i}>
              <Table.Td>
                <TextInput size="xs" aria-label={`Contact ${i + 1} role`} value={row.role} onChange={(e) => update(i, { role: e.currentTarget.value })} />
              </Table.Td>
              <Table.Td>
                <TextInput size="xs" aria-label={`Contact ${i + 1} name`} value={row.name} onChange={(e) => update(i, { name: e.currentTarget.value })} />
              </Table.Td>
              <Table.Td>
                <TextInput
                  size="xs"
                  aria-label={`Contact ${i + 1} contact`}
                  placeholder="phone, e-mail, pager"
                  value={row.contact}
                  onChange={(e) => update(i, { contact: e.currentTarget.value })}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  size="xs"
                  aria-label={`Contact ${i + 1} availability`}
                  value={row.availability}
                  onChange={(e) => update(i, { availability: e.currentTarget.value })}
                />
              </Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove contact ${i + 1} (${row.role || 'no role'})`}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {errors.map((e) => (
        <Text key={e} size="xs" c="red" role="alert">
          {e}
        </Text>
      ))}
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          Rows with no name and no contact are not saved.
        </Text>
        <Button
          size="xs"
          variant="subtle"
          disabled={rows.length >= 20}
          onClick={() => onChange([...rows, { role: '', name: '', contact: '', availability: '' }])}
        >
          Add contact
        </Button>
      </Group>
    </Stack>
  );
}
