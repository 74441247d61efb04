import { describe, expect, it } from 'vitest';
import { formatJoinCode } from './join-code';

describe('formatJoinCode', () => {
  it('groups a code in fours', () => {
    expect(formatJoinCode('K7P2QXMAR4TN')).toBe('K7P2 QXMA R4TN');
    expect(formatJoinCode('K7P2QX')).toBe('K7P2 QX');
    expect(formatJoinCode('')).toBe('');
  });
});
