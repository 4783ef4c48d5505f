// Issue #18 through the UI: a profile with a storage connection to a real S3 server on
// loopback (s3rver), a storage backup from the Backups screen (buckets picked, progress,
// the verified result and its row in the list, Details per bucket, Restore… of chosen objects
// into another bucket with its preview and validation), then an offsite
// destination added in the Destinations panel, tested against the same server, and the
// snapshot copied there (Copy offsite on its row; the copy listed in its Details); then a
// storage backup written straight to that destination (nothing sent: all there already) and
// restored from there (fetched back and verified first).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';
import { field, openNewProfileForm, startApp, startSandbox } from './harness';

// A backup of the sandbox through the app's own API, from the page (a string: tsx would
// rewrite a function's source); the wizard itself is backups.test.ts's.
const TAKE_BACKUP = `(async () => {
  const call = async (name, input) => {
    const response = await fetch('/api/' + name, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = await response.json();
    if (!body.ok) throw new Error(name + ': ' + body.error.code + ' ' + body.error.message);
    return body.value;
  };
  const profiles = await call('listProfiles', {});
  const sandbox = profiles.find((p) => p.env === 'sandbox');
  const started = await call('startBackup', { profileId: sandbox.id });
  for (;;) {
    const entry = await call('getBackup', { id: started.backupId });
    if (entry.status !== 'running') return { status: entry.status, error: entry.error };
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
})()`;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['media', 'uploads', 'offsite', 'vault', 'restored']);
  const store = new ObjectStore(s3.config());
  await store.putBody('media', 'logo.png', 'not really a png', { contentType: 'image/png' });
  await store.putBody('media', 'products/ring – gold.jpg', 'a ring, gold');
  await store.putBody('uploads', 'notes/readme.txt', 'hello');
});
afterAll(async () => {
  await s3?.destroy();
});

test('storage backup of a profile’s buckets, then an offsite destination tested', async () => {
  const app = await startApp();
  const { page } = app;
  await page.setViewportSize({ width: 1440, height: 900 });

  // The first profile (so the active one), with its storage connection; no database is needed for storage.
  await openNewProfileForm(page);
  await field(page, 'Profile name').fill('shop');
  await field(page, 'Host').fill('127.0.0.1');
  await field(page, 'Database').fill('postgres');
  await field(page, 'User').fill('postgres');
  const section = page.getByRole('group', { name: 'Supabase Storage (S3)' });
  await section.getByRole('button', { name: 'Add a storage connection' }).click();
  await field(page, 'Endpoint').fill(s3.endpoint);
  await field(page, 'Access key id').fill(S3_KEY_ID);
  await section.getByLabel('Secret access key').fill(S3_SECRET);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByRole('table', { name: 'Connection profiles' }).getByRole('row', { name: /shop/ }).waitFor();

  await page.getByRole('button', { name: 'Backups', exact: true }).click();
  const snapshots = page.getByRole('region', { name: 'Storage snapshots' });
  await snapshots.getByText(/No storage snapshots yet/).waitFor({ timeout: 20_000 });
  await snapshots.getByRole('button', { name: 'Storage backup' }).click();

  // Every bucket the key lists, all chosen by default; leave out the offsite one.
  const panel = snapshots.getByRole('region', { name: 'Storage backup' });
  const offsiteBucket = panel.getByRole('checkbox', { name: 'offsite' });
  await offsiteBucket.waitFor({ timeout: 20_000 });
  expect(await panel.getByRole('checkbox', { name: 'media' }).isChecked()).toBe(true);
  await offsiteBucket.uncheck();
  await panel.getByRole('checkbox', { name: 'vault' }).uncheck();
  await panel.getByRole('checkbox', { name: 'restored' }).uncheck();
  await panel.getByRole('button', { name: 'Run storage backup' }).click();

  const result = panel.getByRole('region', { name: 'Storage backup result' });
  await result.waitFor({ timeout: 60_000 });
  const summary = (await result.textContent()) ?? '';
  expect(summary).toContain('Snapshot written and verified');
  expect(summary).toContain('3 objects');
  expect(summary).toContain(app.home);

  const list = snapshots.getByRole('table', { name: 'Storage snapshot list' });
  const row = list.getByRole('row', { name: /^Storage snapshot / });
  await row.waitFor();
  const rowText = (await row.textContent()) ?? '';
  expect(rowText).toContain('media, uploads');
  expect(rowText).toContain('OK');
  await app.screenshot('storage-snapshot.png');

  // Details: the manifest per bucket.
  await row.getByRole('button', { name: /^Details of / }).click();
  const perBucket = page.getByRole('table', { name: 'Buckets in the snapshot' });
  await perBucket.waitFor({ timeout: 20_000 });
  expect(await perBucket.getByRole('row', { name: /^media 2 / }).count()).toBe(1);
  await page.keyboard.press('Escape');
  await perBucket.waitFor({ state: 'detached' });

  // Verify again: every file hashed against the manifest.
  await row.getByRole('button', { name: /^Verify / }).click();
  await snapshots.getByText(/Verification OK: .+ \(3 objects\)/).waitFor({ timeout: 30_000 });

  // Restore… into another bucket of the same profile, of chosen objects: everything is chosen
  // at first; the uploads bucket left out, then one object found by the filter and unchosen
  // and chosen again. Preview (the two to create), restore, validation ok, only those there.
  await row.getByRole('button', { name: /^Restore / }).click();
  const restore = page.getByRole('dialog', { name: /^Restore storage snapshot / });
  const chooser = restore.getByRole('region', { name: 'Objects to restore' });
  await chooser.getByText(/^Chosen: 3 of 3 objects/).waitFor({ timeout: 20_000 });
  await chooser.getByRole('checkbox', { name: 'Bucket uploads' }).uncheck();
  await chooser.getByText(/^Chosen: 2 of 3 objects · 28 bytes/).waitFor();
  expect(await chooser.getByRole('checkbox', { name: 'Folder products/' }).isChecked()).toBe(true);
  await chooser.getByRole('textbox', { name: 'Filter objects' }).fill('RING');
  const ring = chooser.getByRole('checkbox', { name: 'media/products/ring – gold.jpg' });
  expect(await chooser.getByRole('checkbox', { name: 'media/logo.png' }).count()).toBe(0);
  await ring.uncheck();
  await chooser.getByText(/^Chosen: 1 of 3 objects/).waitFor();
  // The filter shows one object of media: its bucket box is that object's.
  expect(await chooser.getByRole('checkbox', { name: 'Bucket media' }).isChecked()).toBe(false);
  await chooser.getByRole('checkbox', { name: 'Select all 1 matching' }).check();
  await chooser.getByText(/^Chosen: 2 of 3 objects/).waitFor();
  await chooser.getByRole('textbox', { name: 'Filter objects' }).fill('');
  await restore.getByRole('textbox', { name: 'Target bucket' }).fill('restored');
  await app.screenshot('storage-restore-choose-1440.png');
  await restore.getByRole('button', { name: 'Preview' }).click();
  const preview = restore.getByRole('region', { name: 'Restore preview' });
  await preview.waitFor({ timeout: 20_000 });
  expect(await preview.textContent()).toContain('2 objects: 2 to create · 0 to overwrite · 0 unchanged');
  await restore.getByRole('button', { name: 'Restore', exact: true }).click();
  const restored = restore.getByRole('region', { name: 'Restore result' });
  await restored.waitFor({ timeout: 60_000 });
  const restoredText = (await restored.textContent()) ?? '';
  expect(restoredText).toContain('Restored and validated');
  expect(restoredText).toContain('2 created');
  expect(restoredText).not.toContain('FAILED');
  expect(await restored.getByRole('listitem').count()).toBeGreaterThan(0);
  await app.screenshot('storage-restore.png');
  const check = new ObjectStore(s3.config());
  expect(await check.getText('restored', 'products/ring – gold.jpg')).toBe('a ring, gold');
  expect(await check.head('restored', 'notes/readme.txt')).toBeNull();
  check.destroy();
  await page.keyboard.press('Escape');
  await restore.waitFor({ state: 'detached' });
  // Again (fresh dialog, the whole snapshot chosen, Enter previews): the two restored are unchanged, the third to create.
  await row.getByRole('button', { name: /^Restore / }).click();
  await chooser.getByText(/^Chosen: 3 of 3 objects/).waitFor({ timeout: 20_000 });
  await restore.getByRole('textbox', { name: 'Target bucket' }).fill('restored');
  await page.keyboard.press('Enter');
  await preview.getByText('3 objects: 1 to create · 0 to overwrite · 2 unchanged', { exact: false }).waitFor({ timeout: 20_000 });
  await page.keyboard.press('Escape');
  await restore.waitFor({ state: 'detached' });

  // Offsite: a destination on the same server, and its test (HeadBucket, a probe written and deleted).
  const destinations = page.getByRole('region', { name: 'Offsite destinations' });
  await destinations.getByRole('button', { name: 'Add destination' }).click();
  const form = page.getByRole('dialog', { name: 'Add an offsite destination' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('lab-s3');
  await form.getByRole('textbox', { name: 'Endpoint', exact: true }).fill(s3.endpoint);
  await form.getByRole('textbox', { name: 'Bucket', exact: true }).fill('offsite');
  await form.getByRole('textbox', { name: 'Prefix', exact: true }).fill('ops/backups');
  await form.getByRole('textbox', { name: 'Access key id', exact: true }).fill(S3_KEY_ID);
  await form.getByLabel('Secret access key').fill(S3_SECRET);
  await page.keyboard.press('Enter');
  await form.waitFor({ state: 'detached' });
  const destination = destinations.getByRole('row', { name: 'Destination lab-s3' });
  await destination.waitFor();
  expect(await destination.textContent()).toContain('offsite/ops/backups');
  await destination.getByRole('button', { name: 'Test lab-s3' }).click();
  await destination.getByText(/OK: .+ bucket offsite is writable/).waitFor({ timeout: 20_000 });
  await app.screenshot('storage-offsite.png');

  // Copy offsite of the snapshot: every object sent (the destination held none), read back; then listed in its Details.
  await row.getByRole('button', { name: /^Copy .+ offsite$/ }).click();
  const copyDialog = page.getByRole('dialog', { name: /^Copy .+ offsite$/ });
  await copyDialog.getByRole('combobox', { name: 'Destination' }).click();
  await page.getByRole('option', { name: 'lab-s3' }).click();
  await copyDialog.getByRole('button', { name: 'Copy offsite' }).click();
  await copyDialog.getByText('Copied offsite and verified').waitFor({ timeout: 30_000 });
  await copyDialog.getByText('3 of 3 objects sent; the rest were on lab-s3 already.').waitFor();
  await app.screenshot('backups-snapshot-offsite-1440.png');
  await page.keyboard.press('Escape');
  await copyDialog.waitFor({ state: 'detached' });
  await row.getByRole('button', { name: /^Details of / }).click();
  const snapshotCopies = page.getByRole('table', { name: 'Offsite copies of this snapshot' });
  await snapshotCopies.waitFor({ timeout: 20_000 });
  expect(await snapshotCopies.getByRole('row', { name: /lab-s3 .*OK/ }).count()).toBe(1);
  await page.keyboard.press('Escape');
  const offsiteObjects = new ObjectStore(s3.config());
  const keys: string[] = [];
  for await (const o of offsiteObjects.listObjects('offsite', 'ops/backups/shop/storage/')) keys.push(o.key);
  offsiteObjects.destroy();
  expect(keys.filter((k) => k.includes('/objects/'))).toHaveLength(3);
  expect(keys.filter((k) => k.endsWith('.manifest.json'))).toHaveLength(1);

  // A storage backup written straight to lab-s3: nothing kept locally; incremental against the copy there (nothing to send).
  await panel.getByRole('button', { name: 'Done' }).click();
  await panel.waitFor({ state: 'detached' });
  await snapshots.getByRole('button', { name: 'Storage backup' }).click();
  await panel.getByRole('checkbox', { name: 'offsite' }).waitFor({ timeout: 20_000 });
  for (const bucket of ['offsite', 'vault', 'restored']) await panel.getByRole('checkbox', { name: bucket }).uncheck();
  await panel.getByRole('radio', { name: 'Offsite destination: lab-s3' }).check();
  await panel.getByRole('button', { name: 'Run storage backup' }).click();
  const direct = panel.getByRole('region', { name: 'Offsite storage backup result' });
  await direct.waitFor({ timeout: 60_000 });
  const directText = (await direct.textContent()) ?? '';
  expect(directText).toContain('Snapshot written offsite and verified');
  expect(directText).toContain('3 objects');
  expect(directText).toContain('0 sent');
  expect(directText).toContain('3 unchanged since the previous snapshot there');
  await app.screenshot('storage-direct-offsite-1440.png');
  // Its row: offsite only, no Show in folder; Restore… fetches it back first, then previews and restores as any snapshot.
  const offsiteRow = list.getByRole('row', { name: /^Storage snapshot / }).first();
  await offsiteRow.getByLabel('Lives only offsite').waitFor({ timeout: 20_000 });
  expect(await offsiteRow.getByRole('button', { name: /^Show .+ in its folder$/ }).count()).toBe(0);
  await offsiteRow.getByRole('button', { name: /^Restore / }).click();
  const fetchStep = restore.getByRole('region', { name: 'Fetch from offsite' });
  await fetchStep.getByRole('button', { name: 'Fetch from offsite' }).click();
  await fetchStep.getByText('Fetched from offsite and verified').waitFor({ timeout: 30_000 });
  await chooser.getByText(/^Chosen: 3 of 3 objects/).waitFor({ timeout: 20_000 });
  await restore.getByRole('textbox', { name: 'Target bucket' }).fill('restored');
  await restore.getByRole('button', { name: 'Preview' }).click();
  await preview.getByText('3 objects: 1 to create · 0 to overwrite · 2 unchanged', { exact: false }).waitFor({ timeout: 20_000 });
  await restore.getByRole('button', { name: 'Restore', exact: true }).click();
  await restored.getByText('Restored and validated').waitFor({ timeout: 60_000 });
  const after = new ObjectStore(s3.config());
  expect(await after.getText('restored', 'notes/readme.txt')).toBe('hello');
  after.destroy();
  expect(app.pageErrors).toEqual([]);
}, 120_000);

test('copy offsite: a verified sandbox backup to a destination, read back and listed', async () => {
  const app = await startApp();
  const { page } = app;
  await page.setViewportSize({ width: 1440, height: 900 });
  await startSandbox(page);
  const backup = (await page.evaluate(TAKE_BACKUP)) as { status: string; error: string | null };
  expect(backup).toEqual({ status: 'ok', error: null });

  await page.getByRole('button', { name: 'Backups', exact: true }).click();
  const destinations = page.getByRole('region', { name: 'Offsite destinations' });
  await destinations.getByText(/No offsite destination yet/).waitFor({ timeout: 20_000 });
  await destinations.getByRole('button', { name: 'Add destination' }).click();
  const form = page.getByRole('dialog', { name: 'Add an offsite destination' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('vault');
  await form.getByRole('textbox', { name: 'Endpoint', exact: true }).fill(s3.endpoint);
  await form.getByRole('textbox', { name: 'Bucket', exact: true }).fill('vault');
  await form.getByRole('textbox', { name: 'Access key id', exact: true }).fill(S3_KEY_ID);
  await form.getByLabel('Secret access key').fill(S3_SECRET);
  await form.getByRole('button', { name: 'Add destination' }).click();
  await destinations.getByRole('row', { name: 'Destination vault' }).waitFor();

  const copy = page.getByRole('region', { name: 'Copy offsite' });
  await copy.getByRole('combobox', { name: 'Backup (verified)' }).click();
  await page.getByRole('option').first().click();
  await copy.getByRole('combobox', { name: 'Destination' }).click();
  await page.getByRole('option', { name: 'vault' }).click();
  await copy.getByRole('button', { name: 'Copy offsite' }).click();
  await copy.getByText('Copied offsite and verified').waitFor({ timeout: 60_000 });
  expect(await copy.textContent()).toContain('sha256 read back and matched');
  const copies = copy.getByRole('table', { name: 'Offsite copies' });
  await copies.getByText('OK', { exact: true }).waitFor({ timeout: 20_000 });
  expect(await copies.textContent()).toContain('vault');
  await app.screenshot('offsite-copy.png');

  // Retention: a policy saved, and its prune previewed (one copy, kept by "last").
  await destinations.getByRole('button', { name: 'Retention and prune of vault' }).click();
  const retention = page.getByRole('dialog', { name: 'Retention of vault' });
  await retention.getByRole('button', { name: 'Save and preview prune' }).click();
  const preview = retention.getByRole('region', { name: 'Prune preview' });
  await preview.getByText('Nothing to delete: every copy is kept.').waitFor({ timeout: 20_000 });
  expect(await preview.textContent()).toContain('1 kept');
  await page.keyboard.press('Escape');
  await destinations
    .getByRole('row', { name: 'Destination vault' })
    .getByText(/^last 7/)
    .waitFor();

  // The wizard writing straight to the destination: directory refused with the reason, the
  // review names the object, the run uploads and reads back, the catalog lists the backup.
  const wizard = page.getByRole('region', { name: 'New backup' });
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('radio', { name: /^Directory/ }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  const toVault = wizard.getByRole('radio', { name: /^Offsite destination: vault/ });
  await toVault.waitFor({ timeout: 20_000 });
  expect(await toVault.isDisabled()).toBe(true);
  await wizard.getByText(/cannot be streamed offsite: choose custom or plain/).waitFor();
  const back = wizard.getByRole('button', { name: 'Back', exact: true });
  await back.click();
  await back.click();
  await wizard.getByRole('radio', { name: /^Custom/ }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await toVault.check();
  expect(await wizard.getByRole('textbox', { name: 'Folder' }).count()).toBe(0);
  await back.click();
  await back.click();
  expect(await wizard.getByRole('radio', { name: /^Directory/ }).isDisabled()).toBe(true);
  await wizard.getByText(/Directory is not offered while the backup goes to vault/).waitFor();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Next' }).click();
  const plan = wizard.getByRole('table', { name: 'Backup plan' });
  await plan.waitFor({ timeout: 30_000 });
  const planText = (await plan.textContent()) ?? '';
  const reviewed = /s3:\/\/vault\/([^/]+\/[^ ]*_full_\d{8}-\d{6}\.dump)/.exec(planText)?.[1];
  expect(reviewed).toBeDefined();
  expect(planText).toContain('nothing is kept on this computer');
  await app.screenshot('backups-offsite-review-1440.png');
  await wizard.getByRole('button', { name: 'Start backup' }).click();
  const direct = wizard.getByRole('region', { name: 'Offsite backup result' });
  await direct.waitFor({ timeout: 120_000 });
  const directText = (await direct.textContent()) ?? '';
  expect(directText).toContain('Backup written offsite and verified');
  expect(directText).toContain('sha256 read back and matched');
  const key = ((await direct.locator('code').first().textContent()) ?? '').trim();
  const fileName = key.split('/').pop() ?? '';
  expect(fileName).toMatch(/_full_\d{8}-\d{6}\.dump$/);
  // Said at review, done at start: the object is the one the review named.
  expect(key).toBe(reviewed);
  await app.screenshot('backups-offsite-result-1440.png');
  const listed = page.getByRole('region', { name: 'Backup catalog' }).getByRole('row', { name: `Backup ${fileName}` });
  await listed.waitFor({ timeout: 20_000 });
  expect(await listed.getByLabel('Status: OK').count()).toBe(1);
  const vault = new ObjectStore(s3.config());
  expect(await vault.head('vault', key)).not.toBeNull();
  vault.destroy();
  expect(app.pageErrors).toEqual([]);
});
