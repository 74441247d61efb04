import { describe, expect, it } from 'vitest';
import { KASSEL_SIZE } from '../event/create';
import { missingAttributes } from './JoinForm';

describe('the event join form', () => {
  it('asks for a defined value of every attribute', () => {
    expect(missingAttributes([KASSEL_SIZE], {})).toEqual([KASSEL_SIZE]);
    expect(missingAttributes([KASSEL_SIZE], { size: 'huge' })).toEqual([KASSEL_SIZE]);
    expect(missingAttributes([KASSEL_SIZE], { size: 'district' })).toEqual([]);
    expect(missingAttributes([], {})).toEqual([]);
  });
});
