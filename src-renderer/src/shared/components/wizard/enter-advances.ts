// Pure: whether Enter on the focused element moves a wizard on (tested in tests/unit).

/** Enter advances the wizard unless the key belongs to the control that has focus. */
export function enterAdvances(target: { tagName: string; value?: string; isTagsInput: boolean; expanded: boolean; multiline: boolean }): boolean {
  if (target.multiline || target.expanded) return false;
  if (['BUTTON', 'A', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return false;
  // A tags field takes Enter to add what was typed; an empty one lets it through.
  if (target.isTagsInput && (target.value ?? '') !== '') return false;
  return true;
}
