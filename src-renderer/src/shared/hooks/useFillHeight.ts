// A screen that fills the window like a desktop tool (issue #19): its height is whatever is
// left below its top edge, minus the frame's bottom padding, so the page itself never
// scrolls and the screen's panes scroll inside themselves. Measured rather than derived
// from the frame's CSS, so it stays right whatever the header, band or padding become.
import { useLayoutEffect, useState, type RefObject } from 'react';

/** Below this the screen scrolls the page rather than squeeze its panes to nothing. */
const MIN_HEIGHT = 320;

function bottomPadding(el: HTMLElement): number {
  const main = el.closest('main');
  return main ? parseFloat(getComputedStyle(main).paddingBottom) || 0 : 0;
}

/** The px height that makes `ref`'s element end at the bottom of the window (null until measured). */
export function useFillHeight(ref: RefObject<HTMLElement | null>): number | null {
  const [height, setHeight] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => {
      // Relative to the document, not the viewport: a page already scrolled must not shrink it.
      const top = el.getBoundingClientRect().top + window.scrollY;
      const next = Math.max(MIN_HEIGHT, Math.floor(window.innerHeight - top - bottomPadding(el)));
      setHeight((current) => (current === next ? current : next));
    };
    measure();
    window.addEventListener('resize', measure);
    // What sits above the screen (an alert in the frame, a band) can change its top edge.
    const observer = new ResizeObserver(measure);
    const main = el.closest('main');
    if (main) observer.observe(main);
    return () => {
      window.removeEventListener('resize', measure);
      observer.disconnect();
    };
  }, [ref]);
  return height;
}
