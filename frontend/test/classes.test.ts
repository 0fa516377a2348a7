import { describe, expect, it } from 'vitest';
import type { Indicator, Legend, ValueRow } from '../src/api';
import { bivariate, classColor, contrast, crossCell, crossColor, crossCounts, crossOf, lisaColors, luminance, noDataColor, textOn } from '../src/classes';

// The legend the server answers for mss-status-index at planungsraum (GET …/breaks).
const legend: Legend = {
  method: 'manual',
  breaks: [-1, 1, 1.5, 3.72],
  counts: [75, 366, 46, 49],
  labels: ['hoch', 'mittel', 'niedrig', 'sehr niedrig'],
  colors: ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c'],
  scheme: 'YlOrRd',
  min: -1.45,
  max: 3.72,
};

const gesamt = {
  id: 'mss-gesamtindex',
  classification: {
    method: 'manual',
    cutoffs: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5],
    labels: ['hoch / positiv', 'hoch / stabil', 'hoch / negativ', 'mittel / positiv', 'mittel / stabil', 'mittel / negativ', 'niedrig / positiv', 'niedrig / stabil', 'niedrig / negativ', 'sehr niedrig / positiv', 'sehr niedrig / stabil', 'sehr niedrig / negativ'],
    scheme: 'YlOrRd',
  },
} as Indicator;

describe('class colours', () => {
  it('take the colour of the class label the values endpoint gives', () => {
    expect(classColor(legend, 'hoch')).toBe('#ffffb2');
    expect(classColor(legend, 'sehr niedrig')).toBe('#e31a1c');
  });

  it('give no colour to a value without a class or a legend', () => {
    expect(classColor(legend, null)).toBeNull();
    expect(classColor(legend, 'unbekannt')).toBeNull();
    expect(classColor(null, 'hoch')).toBeNull();
  });

  it('keep no data apart from every class colour', () => {
    for (const c of legend.colors) expect(c).not.toBe(noDataColor);
  });
});

describe('the 4 × 3 cross of the MSS Gesamtindex', () => {
  const cross = crossOf(gesamt)!;

  it('is read from the labels: status rows, dynamics columns', () => {
    expect(cross.rows).toEqual(['hoch', 'mittel', 'niedrig', 'sehr niedrig']);
    expect(cross.cols).toEqual(['positiv', 'stabil', 'negativ']);
  });

  it('maps group 1 … 12 to row and column', () => {
    expect(crossCell(cross, 1)).toEqual([0, 0]);
    expect(crossCell(cross, 6)).toEqual([1, 2]);
    expect(crossCell(cross, 12)).toEqual([3, 2]);
    expect(crossCell(cross, 0)).toBeNull();
    expect(crossCell(cross, 13)).toBeNull();
    expect(crossCell(cross, 2.5)).toBeNull();
    expect(crossColor(cross, 5)).toBe(cross.colors[1]![1]);
  });

  it('has twelve different colours, darker with worse status', () => {
    const flat = cross.colors.flat();
    expect(new Set(flat).size).toBe(12);
    for (let c = 0; c < 3; c++) {
      for (let r = 1; r < 4; r++) expect(luminance(cross.colors[r]![c]!)).toBeLessThan(luminance(cross.colors[r - 1]![c]!));
    }
  });

  it('counts the ok values per cell', () => {
    const rows = [1, 1, 5, 12, null].map((v, i) => ({ code: String(i), name: '', value: v, numerator: null, denominator: null, status: v === null ? 'missing' : 'ok', class: null }) as ValueRow);
    const counts = crossCounts(cross, rows);
    expect(counts[0]![0]).toBe(2);
    expect(counts[1]![1]).toBe(1);
    expect(counts[3]![2]).toBe(1);
    expect(counts.flat().reduce((a, b) => a + b)).toBe(4);
  });

  it('is not seen in an ordinary classification', () => {
    expect(crossOf({ classification: { method: 'manual', labels: legend.labels, scheme: 'YlOrRd' } } as Indicator)).toBeNull();
    expect(crossOf({ classification: { method: 'quantile', k: 5, scheme: 'Blues' } } as Indicator)).toBeNull();
  });

  it('gives any size a palette', () => {
    expect(bivariate(2, 2).flat()).toHaveLength(4);
  });
});

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#1a1a1a', '#ffffff')).toBeGreaterThan(4.5);
    expect(contrast('#4d4d4d', '#ffffff')).toBeGreaterThan(4.5); // muted text
    expect(contrast('#0b5394', '#ffffff')).toBeGreaterThan(4.5); // links
    expect(contrast('#ffffff', '#1f3a5f')).toBeGreaterThan(4.5); // top bar
  });

  it('picks readable text on every swatch', () => {
    for (const c of [...legend.colors, ...bivariate(4, 3).flat(), ...Object.values(lisaColors)]) {
      expect(contrast(c, textOn(c))).toBeGreaterThanOrEqual(4.5);
    }
  });
});
