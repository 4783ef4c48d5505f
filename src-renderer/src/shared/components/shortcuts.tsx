// Keyboard: the frame's keys (Alt+1…9 and Alt+0 jump to the screens, "?" lists the
// shortcuts, Ctrl+B folds the sidebar), bound from the one table in shared/keys/bindings.ts,
// and the "?" list, which shows every entry of that same table.
import { Group, Kbd, Modal, Stack, Table, Text } from '@mantine/core';
import { Fragment, useEffect } from 'react';
import { type ScreenId } from '../state/screens';
import { isTyping } from '../dom';
import { allBindings, GLOBAL_KEYS, matchesKeys, screenForEvent, screenLabel, type KeyBinding } from '../keys/bindings';

export function useShortcuts(onScreen: (id: ScreenId) => void, onHelp: () => void, onSidebar?: () => void): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const screen = screenForEvent(event);
      if (screen) {
        event.preventDefault();
        onScreen(screen);
        return;
      }
      if (onSidebar && matchesKeys(GLOBAL_KEYS.sidebar, event) && !event.repeat) {
        event.preventDefault();
        onSidebar();
        return;
      }
      if (matchesKeys(GLOBAL_KEYS.help, event) && !isTyping(event.target)) {
        event.preventDefault();
        onHelp();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [onScreen, onHelp, onSidebar]);
}

function groupByScreen(bindings: KeyBinding[]): Array<[KeyBinding['screen'], KeyBinding[]]> {
  const groups = new Map<KeyBinding['screen'], KeyBinding[]>();
  for (const b of bindings) groups.set(b.screen, [...(groups.get(b.screen) ?? []), b]);
  return [...groups.entries()];
}

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" centered size="lg">
      <Stack gap="sm">
        <Table aria-label="Keyboard shortcuts" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Keys</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groupByScreen(allBindings()).map(([screen, bindings]) => (
              <Fragment key={screen}>
                <Table.Tr>
                  <Table.Th colSpan={2} scope="rowgroup">
                    {screenLabel(screen)}
                  </Table.Th>
                </Table.Tr>
                {bindings.map((b) => (
                  <Table.Tr key={`${b.keys} ${b.action}`} aria-label={`${screenLabel(screen)}: ${b.keys}`}>
                    <Table.Td>
                      <KeyCombo combo={b.keys} />
                    </Table.Td>
                    <Table.Td>{b.action}</Table.Td>
                  </Table.Tr>
                ))}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          The frame&apos;s keys work anywhere except &quot;?&quot; while typing in a field; a screen&apos;s keys work on that screen. Ctrl is ⌘ on a Mac.
        </Text>
      </Stack>
    </Modal>
  );
}

export function KeyCombo({ combo }: { combo: string }) {
  // "Ctrl++" would not split well; no binding uses "+" as its key.
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
