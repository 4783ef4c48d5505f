// Issue #18 through the UI: adding an encrypting offsite destination shows its generated key
// once (with the warning and a Copy button), and the key is gone once the dialog is closed:
// the destination row names the key id only.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';
import { startApp, startSandbox } from './harness';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['vault']);
});
afterAll(async () => {
  await s3?.destroy();
});

test('an encrypting destination shows its key once, then only its key id', async () => {
  const app = await startApp();
  const { page } = app;
  await page.setViewportSize({ width: 1440, height: 900 });
  await startSandbox(page);
  await page.getByRole('button', { name: 'Backups', exact: true }).click();
  const destinations = page.getByRole('region', { name: 'Offsite destinations' });
  await destinations.getByRole('button', { name: 'Add destination' }).click();
  const form = page.getByRole('dialog', { name: 'Add an offsite destination' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('sealed');
  await form.getByRole('textbox', { name: 'Endpoint', exact: true }).fill(s3.endpoint);
  await form.getByRole('textbox', { name: 'Bucket', exact: true }).fill('vault');
  await form.getByRole('textbox', { name: 'Access key id', exact: true }).fill(S3_KEY_ID);
  await form.getByLabel('Secret access key').fill(S3_SECRET);
  await form.getByRole('checkbox', { name: /Encrypt every copy/ }).check();
  await form.getByRole('button', { name: 'Add destination' }).click();

  const shown = page.getByRole('dialog', { name: 'Encryption key of sealed' });
  await shown.waitFor();
  const key = (await shown.getByLabel('Encryption key').textContent())?.trim() ?? '';
  expect(key).toMatch(/^ock1_[A-Za-z0-9_-]{43}$/);
  expect(await shown.textContent()).toMatch(/unreadable/);
  await shown.getByRole('button', { name: 'Copy key' }).waitFor();
  await app.screenshot('offsite-encryption-key.png');
  await shown.getByRole('button', { name: 'I have stored the key' }).click();
  await shown.waitFor({ state: 'hidden' });

  await destinations.getByRole('row', { name: 'Destination sealed' }).waitFor();
  expect(await page.locator('body').textContent()).not.toContain(key);
});
