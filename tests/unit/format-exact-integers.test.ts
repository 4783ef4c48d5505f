// Issue #19 §4: big integers read exactly. An int8 given as decimal text is grouped without
// going through a float (which turns 9223372036854775807 into …776,000).
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src-renderer/src/shared/format/numbers';

describe('formatCount', () => {
  it('groups an int8 given as text exactly, to the last digit', () => {
    expect(formatCount('9223372036854775807')).toBe('9,223,372,036,854,775,807');
    expect(formatCount('-9223372036854775808')).toBe('-9,223,372,036,854,775,808');
    expect(formatCount(9223372036854775807n)).toBe('9,223,372,036,854,775,807');
    // What a float would have said.
    expect(formatCount(Number('9223372036854775807'))).toBe('9,223,372,036,854,776,000');
  });

  it('keeps numbers as they were, and leaves non-integer text alone', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount('12.5')).toBe('12.5');
  });
});
