import { describe, expect, it } from 'vitest';
import { classRange, formatCount, formatDate, formatNumber, formatSigned, formatValue } from '../src/format';

describe('number formatting', () => {
  it('writes German numbers with a decimal comma and English with a point', () => {
    expect(formatNumber(1234.567, 'de', 2)).toBe('1.234,57');
    expect(formatNumber(1234.567, 'en', 2)).toBe('1,234.57');
    expect(formatNumber(19.39799, 'de', 1)).toBe('19,4');
    expect(formatNumber(0.5, 'de', 0)).toBe('1'); // Intl rounds half away from zero
  });

  it('shows the indicator precision, also trailing zeros', () => {
    expect(formatNumber(-0.327698283960783, 'de', 2)).toBe('-0,33');
    expect(formatNumber(2, 'de', 2)).toBe('2,00');
    expect(formatNumber(12, 'en', 0)).toBe('12');
  });

  it('never shows a negative zero', () => {
    expect(formatNumber(-0.001, 'de', 1)).toBe('0,0');
    expect(formatNumber(-0, 'en', 0)).toBe('0');
  });

  it('writes no number as a dash', () => {
    expect(formatNumber(null, 'de', 1)).toBe('–');
    expect(formatNumber(Number.NaN, 'de', 1)).toBe('–');
    expect(formatValue(null, '%', 'de', 1)).toBe('–');
  });

  it('joins value and unit with a no-break space', () => {
    expect(formatValue(12.345, '%', 'de', 1)).toBe('12,3\u00a0%');
    expect(formatValue(3, '', 'en', 0)).toBe('3');
  });

  it('signs differences', () => {
    expect(formatSigned(1.234, 'de', 1)).toBe('+1,2');
    expect(formatSigned(-1.234, 'en', 2)).toBe('-1.23');
    expect(formatSigned(0, 'de', 1)).toBe('0,0');
  });

  it('writes counts and dates in the locale', () => {
    expect(formatCount(2880, 'de')).toBe('2.880');
    expect(formatCount(2880, 'en')).toBe('2,880');
    expect(formatDate('2020-12-31', 'de')).toBe('31.12.2020');
    expect(formatDate('2020-12-31', 'en')).toBe('31/12/2020');
    expect(formatDate('not a date', 'de')).toBe('not a date');
  });

  it('gives class ranges from inclusive upper bounds', () => {
    const breaks = [-1, 1, 1.5, 3.72];
    expect(classRange(breaks, -1.45, 0, 'de', 2)).toEqual(['-1,45', '-1,00']);
    expect(classRange(breaks, -1.45, 2, 'de', 2)).toEqual(['1,00', '1,50']);
    expect(classRange(breaks, -1.45, 3, 'en', 1)).toEqual(['1.5', '3.7']);
  });
});
