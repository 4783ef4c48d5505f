// The header's connection state (issue #19) as the typed client feeds it: a server-reaching
// call that answers marks its profile up, CONNECTION_FAILED marks it down (keeping when it
// was last up), other failures and local-store operations change nothing. The operation
// table comes in on the first outcome that names a profile (issue #21: no zod at startup);
// outcomes noted meanwhile are applied when it arrives, in order.
import { expect, test } from 'vitest';
import { connectionStateOf, loadOperationTable, noteOutcome, reachesServer } from '../../src-renderer/src/shared/api/connection-state';

test('outcomes noted before the operation table is here are applied when it arrives, in order', async () => {
  noteOutcome('getActivity', { profileId: 'early' }, { ok: true });
  noteOutcome('listProfiles', { profileId: 'early2' }, { ok: true });
  noteOutcome('getActivity', { profileId: 'early' }, { ok: false, code: 'CONNECTION_FAILED', message: 'refused' });
  expect(connectionStateOf('early').level).toBe('unknown');
  await loadOperationTable();
  expect(connectionStateOf('early')).toMatchObject({ level: 'down', error: 'refused' });
  expect(connectionStateOf('early').lastUpAt).not.toBeNull();
  expect(connectionStateOf('early2').level).toBe('unknown');
});

test('outcomes of server-reaching calls move the profile between up and down', async () => {
  expect(await reachesServer('getActivity')).toBe(true);
  expect(await reachesServer('listLocks')).toBe(true);
  expect(await reachesServer('listProfiles')).toBe(false);
  expect(connectionStateOf('p1')).toMatchObject({ level: 'unknown', at: null });

  noteOutcome('getActivity', { profileId: 'p1' }, { ok: true });
  const up = connectionStateOf('p1');
  expect(up.level).toBe('up');
  expect(up.lastUpAt).not.toBeNull();

  // A failed query says the server answered: no change.
  noteOutcome('getActivity', { profileId: 'p1' }, { ok: false, code: 'QUERY_FAILED', message: 'syntax' });
  expect(connectionStateOf('p1').level).toBe('up');

  noteOutcome('getActivity', { profileId: 'p1' }, { ok: false, code: 'CONNECTION_FAILED', message: 'refused' });
  expect(connectionStateOf('p1')).toMatchObject({ level: 'down', error: 'refused', lastUpAt: up.lastUpAt });
  // Another profile is not affected; a local-store operation never is.
  expect(connectionStateOf('p2').level).toBe('unknown');
  noteOutcome('listProfiles', { profileId: 'p1' }, { ok: true });
  expect(connectionStateOf('p1').level).toBe('down');

  noteOutcome('listLocks', { profileId: 'p1' }, { ok: true });
  expect(connectionStateOf('p1')).toMatchObject({ level: 'up', error: null });
});
