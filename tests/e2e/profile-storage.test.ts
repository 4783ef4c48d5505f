// The profile form's "Supabase Storage (S3)" section as a user meets it: a Supabase URL fills
// the project's storage endpoint, the section opens on demand, "Test storage" lists the
// buckets of a real S3 server on loopback (or shows the error), and the profile saves with it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';
import { field, openNewProfileForm, startApp } from './harness';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['media', 'uploads']);
});
afterAll(async () => {
  await s3?.destroy();
});

test('storage section: prefilled from a Supabase URL, tested against S3, saved with the profile', async () => {
  const app = await startApp();
  const { page } = app;
  try {
    await openNewProfileForm(page);
    await page.getByLabel('Connection URI').fill('postgresql://postgres.abcdefghijklmnop@aws-0-eu-west-2.pooler.supabase.com:5432/postgres');
    await page.getByRole('button', { name: 'Fill from URI' }).click();
    await page.getByText('Filled from the URI').waitFor();

    const section = page.getByRole('group', { name: 'Supabase Storage (S3)' });
    // Collapsed, with what the import prefilled.
    await section.getByText('https://abcdefghijklmnop.supabase.co/storage/v1/s3', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Show' }).click();
    expect(await field(page, 'Endpoint').inputValue()).toBe('https://abcdefghijklmnop.supabase.co/storage/v1/s3');
    expect(await field(page, 'Region').inputValue()).toBe('eu-west-2');

    await field(page, 'Endpoint').fill(s3.endpoint);
    await field(page, 'Access key id').fill('NOT-A-KEY');
    await section.getByLabel('Secret access key').fill('e2e-secret-value');
    await section.getByRole('button', { name: 'Test storage' }).click();
    await section.getByText('The storage test failed').waitFor({ timeout: 20_000 });
    expect(await section.textContent()).toContain(s3.endpoint);

    await field(page, 'Access key id').fill(S3_KEY_ID);
    await section.getByLabel('Secret access key').fill(S3_SECRET);
    await section.getByRole('button', { name: 'Test storage' }).click();
    await section.getByText(/Buckets: (media, uploads|uploads, media)/).waitFor({ timeout: 20_000 });
    await app.screenshot('profile-storage.png');

    await page.getByRole('button', { name: 'Save profile' }).click();
    await page
      .getByRole('table', { name: 'Connection profiles' })
      .getByRole('row', { name: /supabase-abcdefghijklmnop/ })
      .waitFor();
    // The saved profile's detail names the connection and that its secret is stored, never the secret.
    await page.getByText(`${s3.endpoint} (eu-west-2, key id ${S3_KEY_ID}; secret stored)`).waitFor();
    expect(app.pageErrors).toEqual([]);
  } finally {
    await app.close();
  }
});
