// Issue #3 through the UI: a profile behind a real OpenSSH bastion (Debian's sshd on
// loopback) forwarding to the run's PostgreSQL. The host key is shown, compared with what
// `ssh-keygen -lf` prints for the server's key, trusted, pinned, and audited.
import { expect, inject, onTestFinished, test } from 'vitest';
import { startBastion } from '../helpers/sshd';
import { describedBy, field, openNewProfileForm, startApp } from './harness';

test('acceptance: an SSH profile made in the form, its host key trusted from the test panel, then a passing test and an audit entry', async () => {
  const pg = inject('pg');
  const { sshd, clientKey, dispose } = await startBastion('ops-console-e2e-ssh-');
  onTestFinished(dispose);
  const sshPort = sshd.port;
  // What OpenSSH itself prints for the server's key: the UI must show exactly this.
  const fingerprint = sshd.hostFingerprint;
  expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]+$/);

  const app = await startApp();
  const { page } = app;
  await openNewProfileForm(page);

  await field(page, 'Profile name').fill('e2e-bastioned');
  // The database as the bastion sees it (both on this machine's loopback).
  await field(page, 'Host').fill('127.0.0.1');
  await field(page, 'Port').fill(String(pg.port));
  await field(page, 'Database').fill(pg.database);
  await field(page, 'User').fill(pg.user);
  await page.getByLabel('Password', { exact: true }).fill(pg.password);

  // Off by default: no SSH field until the switch is on.
  expect(await field(page, 'SSH host').count()).toBe(0);
  await page.getByRole('switch', { name: 'Connect through an SSH bastion' }).check();
  await field(page, 'SSH host').fill('127.0.0.1');
  const sshPortField = field(page, 'SSH port');
  expect(await sshPortField.inputValue()).toBe('22');
  await sshPortField.fill(String(sshPort));
  await field(page, 'SSH user').fill('root');
  expect(await page.getByRole('radiogroup', { name: 'SSH authentication' }).getByRole('radio', { name: 'Private key file' }).isChecked()).toBe(true);
  // The secret's hint says where it would be kept (browser mode: memory, this session).
  expect(await describedBy(page.getByLabel('SSH password or key passphrase', { exact: true }))).toMatch(/memory for this session only/);

  // A key login without a key file is explained at the field, and nothing is saved.
  await page.getByRole('button', { name: 'Save profile' }).click();
  const keyFile = field(page, 'SSH key file');
  await expect.poll(() => keyFile.getAttribute('aria-invalid')).toBe('true');
  expect(await describedBy(keyFile)).toContain('key file is required');
  await keyFile.fill(clientKey.privatePath);
  await expect.poll(() => keyFile.getAttribute('aria-invalid')).not.toBe('true');
  await app.screenshot('ssh-form.png');
  await page.getByRole('button', { name: 'Save profile' }).click();

  const list = page.getByRole('table', { name: 'Connection profiles' });
  await list.getByRole('row', { name: /e2e-bastioned/ }).waitFor();
  const sshDetail = page.getByRole('region', { name: 'SSH tunnel' });
  await sshDetail.waitFor();
  expect(await sshDetail.getByLabel('SSH route').textContent()).toContain(`root@127.0.0.1:${sshPort} → 127.0.0.1:${pg.port}`);
  expect(await sshDetail.textContent()).toContain('not pinned yet');
  await app.screenshot('ssh-detail-unpinned.png');

  // First contact: the test stops at the host key and asks.
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByRole('region', { name: 'Connection test result' });
  await result.waitFor({ timeout: 30_000 });
  await result.getByText('Connection failed').waitFor();
  const decision = result.getByRole('region', { name: 'Host key decision' });
  await decision.waitFor();
  const said = (await decision.textContent()) ?? '';
  expect(said).toContain(`presented ED25519 key ${fingerprint}`);
  expect(said).toContain("confirm it with the server's administrator before trusting it");
  await app.screenshot('ssh-hostkey.png');

  // Trust → pinned → the test runs again by itself and passes through the tunnel.
  await decision.getByRole('button', { name: 'Trust this key' }).click();
  await result.getByText('Connection ok').waitFor({ timeout: 30_000 });
  expect(await result.getByRole('region', { name: 'Host key decision' }).count()).toBe(0);
  const stageNames = await result.getByRole('table', { name: 'Connection stages' }).locator('tbody tr td:nth-child(2)').allTextContents();
  // SSH stages come first, then the database's own.
  expect(stageNames.length).toBeGreaterThanOrEqual(4);
  const firstDbStage = stageNames.findIndex((name) => !name.startsWith('SSH'));
  expect(firstDbStage).toBeGreaterThanOrEqual(3);
  expect(stageNames.slice(0, firstDbStage).join(' | ')).toMatch(/host key.*authentication.*forward/i);
  expect(stageNames.slice(firstDbStage).some((name) => name.startsWith('SSH'))).toBe(false);
  expect(await result.getByText('failed', { exact: true }).count()).toBe(0);
  expect(await result.getByText(/^Server:/).textContent()).toMatch(/\d+\.\d+/);
  await expect.poll(() => sshDetail.textContent()).toContain(`${fingerprint} (pinned)`);
  await app.screenshot('ssh-profile.png');

  // The decision is in the audit trail, under the profile's name; no secret is.
  await page.getByRole('button', { name: 'Audit' }).click();
  const audit = page.getByRole('table', { name: 'Audit entries' });
  await audit.waitFor();
  const trustRow = audit.getByRole('row').filter({ hasText: 'ssh.hostkey.trust' }).filter({ hasText: 'e2e-bastioned' });
  await expect.poll(() => trustRow.count()).toBe(1);
  expect(await trustRow.textContent()).toContain('ok');
  expect(await audit.textContent()).not.toContain(pg.password);

  // The bastion comes back with another host key: refused, loudly, naming both keys.
  await sshd.stop();
  sshd.newHostKey();
  await sshd.start();
  const newFingerprint = sshd.hostFingerprint;
  expect(newFingerprint).not.toBe(fingerprint);
  await page.keyboard.press('Alt+8');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.getByText('Connection failed').waitFor({ timeout: 30_000 });
  const changed = result.getByRole('region', { name: 'Host key decision' });
  await changed.getByText('REMOTE HOST KEY CHANGED').waitFor();
  const warning = (await changed.textContent()) ?? '';
  expect(warning).toContain(newFingerprint);
  expect(warning).toContain(fingerprint);
  expect(await changed.getByRole('button', { name: 'Trust this key' }).count()).toBe(0);
  await app.screenshot('ssh-hostkey-changed.png');

  // Replacing the pin is deliberate: nothing happens until the confirmation is given.
  await changed.getByRole('button', { name: 'Replace pinned key…' }).click();
  const dialog = page.getByRole('dialog', { name: /Replace the pinned host key/ });
  await dialog.waitFor();
  const replace = dialog.getByRole('button', { name: 'Replace pinned key' });
  expect(await replace.isDisabled()).toBe(true);
  await dialog.getByRole('checkbox', { name: /I confirmed the new fingerprint/ }).check();
  await expect.poll(() => replace.isEnabled()).toBe(true);
  await replace.click();
  await result.getByText('Connection ok').waitFor({ timeout: 30_000 });
  await expect.poll(() => sshDetail.textContent()).toContain(`${newFingerprint} (pinned)`);

  await page.keyboard.press('Alt+7');
  await expect.poll(() => audit.getByRole('row').filter({ hasText: 'ssh.hostkey.trust' }).filter({ hasText: 'e2e-bastioned' }).count()).toBe(2);
  expect(app.pageErrors).toEqual([]);
}, 150_000);
