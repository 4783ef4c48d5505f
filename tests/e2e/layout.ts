// Layout facts the issue #19 tests assert at the two window sizes a DBA's laptop has: the
// page itself never scrolls sideways, an action button is wholly inside the window and not
// cut by an ancestor that clips overflow, and a region's content is visible without scrolling
// the page. Measured in the real Chromium page, not from CSS.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const VIEWPORTS = {
  large: { width: 1440, height: 900 },
  small: { width: 1024, height: 700 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Fails when the document is wider than the window (a horizontal page scrollbar). */
export async function expectNoPageHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `page scrolls sideways: ${scrollWidth}px of content in ${clientWidth}px`).toBeLessThanOrEqual(clientWidth);
}

/** Fails when the page itself scrolls vertically (the screen should fit and scroll inside its panes). */
export async function expectNoPageVerticalScroll(page: Page): Promise<void> {
  const { scrollHeight, clientHeight } = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    clientHeight: document.documentElement.clientHeight,
  }));
  expect(scrollHeight, `page scrolls: ${scrollHeight}px of content in ${clientHeight}px`).toBeLessThanOrEqual(clientHeight);
}

/**
 * Fails when the element is not wholly visible: outside the window, or cut by an ancestor
 * whose overflow is not visible (a table cell with overflow hidden, a scroll container that
 * has scrolled it out of view), or its own text is truncated (scrollWidth > clientWidth).
 */
export async function expectNotClipped(locator: Locator, what?: string): Promise<void> {
  expect(await clippingProblems(locator), `${what ?? 'element'} is clipped`).toEqual([]);
}

/** What expectNotClipped finds wrong, for a test that waits for a redraw to settle (expect.poll). */
export async function clippingProblems(locator: Locator): Promise<string[]> {
  return locator.evaluate((el: Element) => {
    const r = el.getBoundingClientRect();
    const problems: string[] = [];
    if (r.width === 0 || r.height === 0) problems.push('has no size');
    if (r.left < -0.5 || r.top < -0.5 || r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5)
      problems.push(`outside the window (${Math.round(r.left)},${Math.round(r.top)})–(${Math.round(r.right)},${Math.round(r.bottom)})`);
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const box = a.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        problems.push(`cut by <${a.tagName.toLowerCase()} class="${a.className}">`);
    }
    const own = el as HTMLElement;
    if (own.scrollWidth > own.clientWidth + 1 && getComputedStyle(own).overflowX !== 'visible') problems.push('its own text is truncated');
    return problems;
  });
}

/** Resizes the page and lets the layout settle (ResizeObservers, Mantine's media queries). */
export async function setViewport(page: Page, name: ViewportName): Promise<void> {
  await page.setViewportSize(VIEWPORTS[name]);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
