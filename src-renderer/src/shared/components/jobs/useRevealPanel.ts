// A collapsible panel (the client tools) that a message elsewhere can open: it opens, scrolls
// into view and takes focus, so keyboard users land where the link sent them.
import { useCallback, useRef, useState } from 'react';

export function useRevealPanel() {
  const [opened, setOpened] = useState(false);
  const ref = useRef<HTMLElement | null>(null);
  const reveal = useCallback(() => {
    setOpened(true);
    // After the panel has opened, bring it into view and move focus there.
    requestAnimationFrame(() => {
      ref.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      ref.current?.focus({ preventScroll: true });
    });
  }, []);
  const toggle = useCallback(() => setOpened((v) => !v), []);
  return { opened, ref, reveal, toggle };
}
