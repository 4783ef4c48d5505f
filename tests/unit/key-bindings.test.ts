// The one table of key bindings (issue #19): the handlers match events against its entries
// and the "?" list shows them, so what is listed is what works.
import { describe, expect, test } from 'vitest';
import { ACTIVITY_KEYS, allBindings, CHECKLIST_KEYS, FLEET_KEYS, GLOBAL_KEYS, matchesKeys, screenForEvent } from '../../src-renderer/src/shared/keys/bindings';
import { SCREENS, shortcutFor } from '../../src-renderer/src/shared/state/screens';

function key(keyName: string, code: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) {
  return { key: keyName, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe('matching', () => {
  test('Alt+digit opens the screens in navigation order (Alt+0 the tenth), by key position', () => {
    expect(screenForEvent(key('¡', 'Digit1', { altKey: true }))).toBe('checklists');
    expect(screenForEvent(key('º', 'Digit0', { altKey: true }))).toBe('serverlog');
    expect(screenForEvent(key('1', 'Digit1'))).toBeNull();
    expect(screenForEvent(key('1', 'Digit1', { altKey: true, ctrlKey: true }))).toBeNull();
  });

  test('past the tenth screen, Alt+Shift+digit (Fleet, the eleventh: Alt+Shift+1); every screen has its own shortcut', () => {
    expect(shortcutFor('fleet')).toBe('Alt+Shift+1');
    expect(screenForEvent(key('!', 'Digit1', { altKey: true, shiftKey: true }))).toBe('fleet');
    // Shift does not turn Alt+1 into something else, nor Alt+Shift+1 into Alt+1.
    expect(screenForEvent(key('¡', 'Digit1', { altKey: true }))).toBe('checklists');
    expect(new Set(SCREENS.map((s) => shortcutFor(s.id))).size).toBe(SCREENS.length);
    expect(matchesKeys(FLEET_KEYS.refresh, key('r', 'KeyR', { altKey: true }))).toBe(true);
    expect(matchesKeys(FLEET_KEYS.refresh, key('r', 'KeyR'))).toBe(false);
  });

  test('Ctrl+Enter runs the checks, with Ctrl or ⌘, not with Alt or Shift', () => {
    expect(matchesKeys(CHECKLIST_KEYS.run, key('Enter', 'Enter', { ctrlKey: true }))).toBe(true);
    expect(matchesKeys(CHECKLIST_KEYS.run, key('Enter', 'Enter', { metaKey: true }))).toBe(true);
    expect(matchesKeys(CHECKLIST_KEYS.run, key('Enter', 'Enter'))).toBe(false);
    expect(matchesKeys(CHECKLIST_KEYS.run, key('Enter', 'Enter', { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(matchesKeys(CHECKLIST_KEYS.run, key('Enter', 'Enter', { ctrlKey: true, altKey: true }))).toBe(false);
  });

  test('Space pauses Activity; "?" is whatever key types it; Ctrl+B by position', () => {
    expect(matchesKeys(ACTIVITY_KEYS.pause, key(' ', 'Space'))).toBe(true);
    expect(matchesKeys(ACTIVITY_KEYS.pause, key(' ', 'Space', { ctrlKey: true }))).toBe(false);
    expect(matchesKeys(GLOBAL_KEYS.help, key('?', 'Slash', { shiftKey: true }))).toBe(true);
    expect(matchesKeys(GLOBAL_KEYS.help, key('?', 'Minus', { shiftKey: true }))).toBe(true);
    expect(matchesKeys(GLOBAL_KEYS.sidebar, key('b', 'KeyB', { ctrlKey: true }))).toBe(true);
    expect(matchesKeys(GLOBAL_KEYS.sidebar, key('b', 'KeyB'))).toBe(false);
  });
});

test('the list holds every bound key: screens, frame, Checklists, Activity and the console', () => {
  const listed = allBindings().map((b) => `${b.screen} ${b.keys}`);
  for (const expected of [
    'global Alt+1',
    'global Alt+0',
    'global ?',
    'global Ctrl+B',
    'checklists Ctrl+Enter',
    'activity Space',
    'global Alt+Shift+1',
    'fleet Alt+R',
    'query Ctrl+Enter',
    'query F7',
  ]) {
    expect(listed).toContain(expected);
  }
  // Global keys first, then the screens' own in navigation order.
  const screens = allBindings().map((b) => b.screen);
  expect(screens.lastIndexOf('global')).toBeLessThan(screens.indexOf('checklists'));
  expect(screens.lastIndexOf('checklists')).toBeLessThan(screens.indexOf('query'));
  expect(screens.lastIndexOf('query')).toBeLessThan(screens.indexOf('activity'));
});
