// An element's height in px, kept current as the window or the layout around it changes
// (the splitter shares the console's panes by px, so it needs the real figure).
import { useLayoutEffect, useState, type RefObject } from 'react';

export function useHeight(ref: RefObject<HTMLElement | null>, initial: number): number {
  const [height, setHeight] = useState(initial);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => {
      // A hidden console measures 0: keep what it had, so showing it again does not jump.
      if (el.clientHeight > 0) setHeight(el.clientHeight);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}
