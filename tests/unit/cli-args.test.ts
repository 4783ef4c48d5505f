import { describe, expect, it } from 'vitest';
import { expectPositionals, intFlag, parseArgs, UsageError } from '../../src-main/cli/args';

describe('CLI argument parser', () => {
  const specs = { url: { type: 'string' }, yes: { type: 'boolean' }, 'exclude-user': { type: 'list' }, limit: { type: 'string' } } as const;

  it('parses flags in both --name value and --name=value forms, and repeats lists', () => {
    const p = parseArgs(['add', 'shop', '--url=postgres://h/db', '--yes', '--exclude-user', 'a', '--exclude-user', 'b', '--limit', '5'], specs);
    expect(p.positionals).toEqual(['add', 'shop']);
    expect(p.flags).toMatchObject({ url: 'postgres://h/db', yes: true, 'exclude-user': ['a', 'b'], limit: '5' });
    expect(intFlag(p, 'limit', { min: 1, max: 10 })).toBe(5);
  });

  it('treats everything after -- as positionals (SQL starting with dashes)', () => {
    expect(parseArgs(['q', '--', '--comment', 'x'], specs).positionals).toEqual(['q', '--comment', 'x']);
  });

  it('rejects unknown flags, missing values, values on booleans and bad numbers as usage errors', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['--url'], specs)).toThrow(/--url needs a value/);
    expect(() => parseArgs(['--yes=1'], specs)).toThrow(/takes no value/);
    expect(() => intFlag(parseArgs(['--limit', 'ten'], specs), 'limit', { min: 1, max: 10 })).toThrow(/whole number/);
    expect(() => intFlag(parseArgs(['--limit', '11'], specs), 'limit', { min: 1, max: 10 })).toThrow(/between 1 and 10/);
  });

  it('names missing and unexpected positionals', () => {
    expect(() => expectPositionals(parseArgs([], specs), ['NAME'], 'x NAME')).toThrow(/missing NAME/);
    expect(() => expectPositionals(parseArgs(['a', 'b'], specs), ['NAME'], 'x NAME')).toThrow(/unexpected argument "b"/);
  });
});
