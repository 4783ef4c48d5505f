// The strip of editor tabs above the SQL editor: switch, add (Alt+T), close (Alt+W; the
// last tab is emptied, never removed), rename (double-click or F2). Alt rather than Ctrl:
// Ctrl+T and Ctrl+W belong to the browser in browser mode.
import { ActionIcon, CloseButton, Group, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { EditorTab } from '@contract/models';

export interface EditorTabsProps {
  tabs: EditorTab[];
  activeId: string;
  onSelect: (id: string) => void;
  onNew: () => void;
  onClose: (id: string) => void;
  onRename: (id: string, title: string) => void;
  /** While the saved tabs load: shown, but nothing can change yet. */
  disabled?: boolean;
}

export function tabLabel(tab: EditorTab): string {
  return tab.title.trim() === '' ? 'Untitled' : tab.title;
}

function IconPlus() {
  return (
    <svg
      width={14}
      height={14}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M12 5v14M5 12h14" />
    </svg>
  );
}

function RenameInput({ tab, onDone }: { tab: EditorTab; onDone: (title: string | null) => void }) {
  const [draft, setDraft] = useState(tab.title);
  return (
    <TextInput
      size="xs"
      w={160}
      autoFocus
      aria-label={`New name for tab ${tabLabel(tab)}`}
      value={draft}
      maxLength={200}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onFocus={(e) => e.currentTarget.select()}
      onBlur={() => onDone(draft)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onDone(draft);
        } else if (e.key === 'Escape') {
          // Ends the rename only; not a cancel of the running query.
          e.preventDefault();
          e.stopPropagation();
          e.nativeEvent.stopImmediatePropagation();
          onDone(null);
        }
      }}
    />
  );
}

/** Alt+T / Alt+W anywhere on the screen (event.code: Alt+letter types other characters on a Mac). */
function useTabShortcuts(enabled: boolean, onNew: () => void, onCloseActive: () => void): void {
  const actions = useRef({ onNew, onCloseActive });
  actions.current = { onNew, onCloseActive };
  useEffect(() => {
    if (!enabled) return undefined;
    function onKeyDown(event: KeyboardEvent) {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (document.querySelector('[role="dialog"]')) return;
      if (event.code === 'KeyT') {
        event.preventDefault();
        actions.current.onNew();
      } else if (event.code === 'KeyW') {
        event.preventDefault();
        actions.current.onCloseActive();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

export function EditorTabs({ tabs, activeId, onSelect, onNew, onClose, onRename, disabled = false }: EditorTabsProps) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  useTabShortcuts(!disabled, onNew, () => onClose(activeId));

  function focusTab(index: number) {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (!tab) return;
    onSelect(tab.id);
    tabRefs.current.get(tab.id)?.focus();
  }

  // Arrow keys move between tabs (and open them), as in any tab strip; F2 renames.
  function onTabKeyDown(event: ReactKeyboardEvent<HTMLButtonElement>, index: number, tab: EditorTab) {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      focusTab(target);
    } else if (event.key === 'F2' && !disabled) {
      event.preventDefault();
      setRenaming(tab.id);
    }
  }

  return (
    <Group gap={4} wrap="nowrap" align="stretch" style={{ borderBottom: '1px solid var(--mantine-color-default-border)', overflowX: 'auto' }}>
      <Group gap={2} wrap="nowrap" role="tablist" aria-label="Editor tabs">
        {tabs.map((tab, index) => {
          const selected = tab.id === activeId;
          const label = tabLabel(tab);
          return (
            <Group
              key={tab.id}
              role="presentation"
              gap={2}
              wrap="nowrap"
              px={6}
              py={2}
              style={{
                borderBottom: `2px solid ${selected ? 'var(--mantine-primary-color-filled)' : 'transparent'}`,
                background: selected ? 'var(--mantine-color-default-hover)' : undefined,
                borderTopLeftRadius: 'var(--mantine-radius-sm)',
                borderTopRightRadius: 'var(--mantine-radius-sm)',
              }}
            >
              {renaming === tab.id ? (
                <RenameInput
                  tab={tab}
                  onDone={(title) => {
                    setRenaming(null);
                    if (title !== null) onRename(tab.id, title);
                    tabRefs.current.get(tab.id)?.focus();
                  }}
                />
              ) : (
                <UnstyledButton
                  ref={(node) => {
                    if (node) tabRefs.current.set(tab.id, node);
                    else tabRefs.current.delete(tab.id);
                  }}
                  role="tab"
                  aria-selected={selected}
                  tabIndex={selected ? 0 : -1}
                  title={`${label} (double-click or F2 to rename)`}
                  onClick={() => onSelect(tab.id)}
                  onDoubleClick={() => !disabled && setRenaming(tab.id)}
                  onKeyDown={(e) => onTabKeyDown(e, index, tab)}
                  fz="sm"
                  fw={selected ? 600 : 400}
                  px={4}
                  style={{ maxWidth: '14rem', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                >
                  {label}
                </UnstyledButton>
              )}
              <CloseButton
                size="xs"
                tabIndex={-1}
                disabled={disabled}
                aria-label={`Close tab ${label}`}
                title={tabs.length === 1 ? 'Empty this tab (Alt+W)' : 'Close tab (Alt+W)'}
                onClick={() => onClose(tab.id)}
              />
            </Group>
          );
        })}
      </Group>
      <Tooltip label="New tab (Alt+T)">
        <ActionIcon variant="subtle" size="sm" mt={4} aria-label="New editor tab" aria-keyshortcuts="Alt+T" onClick={onNew} disabled={disabled}>
          <IconPlus />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
