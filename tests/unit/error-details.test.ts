// errorDetail(err, code): the typed detail of an error answered with that code, read from an
// OpsError or from the plain { code, message, detail } an envelope carries; nothing otherwise.
import { describe, expect, it } from 'vitest';
import { errorDetail, OpsError, type ApiError } from '../../src-main/contract/errors';

describe('errorDetail', () => {
  it('gives the detail of the asked code, from an OpsError or a plain envelope error', () => {
    const thrown = new OpsError('CONFIRMATION_REQUIRED', 'type the name', { reason: 'production', expected: 'shop' });
    expect(errorDetail(thrown, 'CONFIRMATION_REQUIRED')).toEqual({ reason: 'production', expected: 'shop' });
    const sent: ApiError = { code: 'INVALID_INPUT', message: 'port', detail: { fields: [{ field: 'port', message: 'too big' }] } };
    expect(errorDetail(sent, 'INVALID_INPUT')?.fields).toEqual([{ field: 'port', message: 'too big' }]);
  });

  it('gives nothing for another code, an error without detail, or something that is not an error', () => {
    const thrown = new OpsError('CONFIRMATION_REQUIRED', 'type the name', { reason: 'blocked' });
    expect(errorDetail(thrown, 'INVALID_INPUT')).toBeUndefined();
    expect(errorDetail(new OpsError('PASSWORD_REQUIRED', 'no password'), 'PASSWORD_REQUIRED')).toBeUndefined();
    expect(errorDetail(new Error('boom'), 'INTERNAL')).toBeUndefined();
    expect(errorDetail(null, 'INVALID_INPUT')).toBeUndefined();
  });
});
