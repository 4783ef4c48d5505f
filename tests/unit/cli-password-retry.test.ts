// The CLI's one PASSWORD_REQUIRED flow: without a terminal nothing is asked and the first
// error stands (scripts never hang); other errors pass untouched; a first success asks nothing.
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { Io } from '../../src-main/cli/io';
import { withPasswordRetry } from '../../src-main/cli/password-retry';

const target = { user: 'app', host: 'db.example.com', port: 5432 };

function noTerminal(): { io: Io; lines: string[] } {
  const lines: string[] = [];
  return { io: { json: false, isTerminal: false, out: (t) => lines.push(t), err: (t) => lines.push(t) }, lines };
}

describe('withPasswordRetry', () => {
  it('answers the first call when it succeeds, asking nothing', async () => {
    const { io, lines } = noTerminal();
    const calls: Array<string | undefined> = [];
    const value = await withPasswordRetry({ io }, target, (password) => {
      calls.push(password);
      return Promise.resolve('rows');
    });
    expect(value).toBe('rows');
    expect(calls).toEqual([undefined]);
    expect(lines).toEqual([]);
  });

  it('without a terminal, keeps the PASSWORD_REQUIRED of the first call and calls once', async () => {
    const { io, lines } = noTerminal();
    const first = new OpsError('PASSWORD_REQUIRED', 'no password for user "app"');
    let calls = 0;
    let looked = 0;
    const attempt = withPasswordRetry(
      { io },
      () => {
        looked += 1;
        return target;
      },
      () => {
        calls += 1;
        return Promise.reject(first);
      },
    );
    await expect(attempt).rejects.toBe(first);
    expect(calls).toBe(1);
    // The profile is read only once a password is wanted.
    expect(looked).toBe(1);
    expect(lines).toEqual([]);
  });

  it('passes any other error through without reading the profile', async () => {
    const { io } = noTerminal();
    const other = new OpsError('AUTH_FAILED', 'password authentication failed for user "app"');
    let looked = 0;
    const attempt = withPasswordRetry(
      { io },
      () => {
        looked += 1;
        return target;
      },
      () => Promise.reject(other),
    );
    await expect(attempt).rejects.toBe(other);
    expect(looked).toBe(0);
  });
});
