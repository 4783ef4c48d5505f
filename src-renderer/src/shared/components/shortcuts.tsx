// Keyboard: Alt+1…9 and Alt+0 jump to the screens, "?" lists the shortcuts.
import { Group, Kbd, Modal, Stack, Table, Text } from '@mantine/core';
import { useEffect } from 'react';
import { SCREENS, shortcutFor, type ScreenId } from '../state/screens';
import { isTyping } from '../dom';

export function useShortcuts(onScreen: (id: ScreenId) => void, onHelp: () => void): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      // event.code, not event.key: Alt+digit types other characters on some layouts.
      const digit = /^Digit([0-9])$/.exec(event.code);
      if (event.altKey && !event.ctrlKey && !event.metaKey && digit) {
        const screen = SCREENS[(Number(digit[1]) + 9) % 10];
        if (screen) {
          event.preventDefault();
          onScreen(screen.id);
        }
        return;
      }
      if (event.key === '?' && !event.altKey && !event.ctrlKey && !event.metaKey && !isTyping(event.target)) {
        event.preventDefault();
        onHelp();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [onScreen, onHelp]);
}

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" centered>
      <Stack gap="sm">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Keys</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {SCREENS.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <KeyCombo combo={shortcutFor(s.id)} />
                </Table.Td>
                <Table.Td>Open {s.label}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td>
                <Kbd>?</Kbd>
              </Table.Td>
              <Table.Td>Show this list</Table.Td>
            </Table.Tr>
            {CONSOLE_KEYS.map(([combo, action]) => (
              <Table.Tr key={combo}>
                <Table.Td>
                  <KeyCombo combo={combo} />
                </Table.Td>
                <Table.Td>Query: {action}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          Shortcuts work anywhere except "?" while typing in a field.
        </Text>
      </Stack>
    </Modal>
  );
}

/** The query console's keys (handled by the editor, the console and the grid). */
const CONSOLE_KEYS: Array<[string, string]> = [
  ['Ctrl+Enter', 'run the statement under the cursor (or the selection)'],
  ['Shift+Ctrl+Enter', 'run the whole script'],
  ['Esc', 'cancel the running statement at the server'],
  ['F7', 'explain (estimate only)'],
  ['Shift+F7', 'explain analyze (rolled back)'],
  ['Alt+T', 'new editor tab'],
  ['Alt+W', 'close editor tab'],
  ['Ctrl+C', 'copy the selected cell or rows (in the grid)'],
];

export function KeyCombo({ combo }: { combo: string }) {
  const parts = combo.split('+');
  return (
    <Group gap={4} wrap="nowrap" component="span">
      {parts.map((part, i) => (
        <span key={part}>
          <Kbd size="xs">{part}</Kbd>
          {i < parts.length - 1 ? (
            <Text span size="xs" c="dimmed">
              {' '}
              +{' '}
            </Text>
          ) : null}
        </span>
      ))}
    </Group>
  );
}
