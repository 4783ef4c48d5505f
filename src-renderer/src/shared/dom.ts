// Small browser helpers used by more than one screen.

/** Hands text to the browser as a file download (Blob URL; no server round trip). */
export function downloadText(content: string, filename: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke once the browser has surely started the download (revoking at once can race it).
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Whether a key press is meant for a text field (so a screen shortcut must not take it). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
