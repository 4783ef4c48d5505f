import { expect, test } from 'vitest';
import { startApp } from './harness';

test('the theme toggle switches dark and light, and is remembered', async () => {
  const app = await startApp({ colorScheme: 'light' });
  const { page } = app;
  const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');

  await page.getByRole('heading', { name: 'Welcome to Ops Console' }).waitFor();
  expect(await scheme()).toBe('light');

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect.poll(scheme).toBe('dark');
  const background = () => page.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
  // Dark means a dark page, not just an attribute.
  await expect.poll(async () => Number(/\d+/.exec(await background())?.[0] ?? 255)).toBeLessThan(80);
  await app.screenshot('first-run-dark.png');

  await page.reload();
  await page.getByRole('heading', { name: 'Welcome to Ops Console' }).waitFor();
  expect(await scheme()).toBe('dark');

  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect.poll(scheme).toBe('light');
});
