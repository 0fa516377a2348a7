import { describe, expect, it } from 'vitest';
import type { GapAnalysis, GapClass } from '../src/api';
import { areasCSV, gapGrid, gapPaints, gapQuery, gapsCSV, readBreaks } from '../src/gaps';
import { defaultState } from '../src/state';

// The nine classes in the order the API lists them (need low first, supply high first).
const cls = (need: 'low' | 'mid' | 'high', supply: 'low' | 'mid' | 'high', color: string, count: number): GapClass => ({
  key: `${need}-${supply}`,
  need,
  supply,
  color,
  count,
  label: { de: `Bedarf ${need}, Angebot ${supply}`, en: `need ${need}, supply ${supply}` },
});
const classes: GapClass[] = [
  cls('low', 'high', '#e8e8e8', 196),
  cls('low', 'mid', '#dfb0d6', 0),
  cls('low', 'low', '#be64ac', 245),
  cls('mid', 'high', '#ace4e4', 31),
  cls('mid', 'mid', '#a5add3', 0),
  cls('mid', 'low', '#8c62aa', 15),
  cls('high', 'high', '#5ac8c8', 41),
  cls('high', 'mid', '#5698b9', 0),
  cls('high', 'low', '#3b4994', 8),
];

const answer: GapAnalysis = {
  level: 'planungsraum',
  need: { indicator: 'mss-status-index', name: 'Status-Index', unit: 'Index', polarity: 'higher_worse', date: '2020-12-31', end: 'high', reading: '', breaks: [1, 1.5], breaks_from: 'request', n: 3, suppressed: 1, missing: 0 },
  supply: { indicator: 'jfe-500m', name: 'JFE 500 m', unit: '%', polarity: 'higher_better', date: '2022-06-30', end: 'high', reading: '', breaks: [0, 50], breaks_from: 'request', n: 4, suppressed: 0, missing: 0 },
  legend: {
    scheme: 'Stevens',
    classes,
    no_data: { key: 'no_data', color: '#c6c6c6', label: { de: 'keine Angabe', en: 'no data' }, count: 1 },
    suppressed: { key: 'suppressed', color: '#f2f2f2', label: { de: 'geheim', en: 'withheld' }, count: 1 },
  },
  areas: [
    { code: '05200526', name: 'Rudolf-Wissell-Großsiedlung', need: { value: 2.82, status: 'ok' }, supply: { value: 0, status: 'ok' }, class: 'high-low' },
    { code: '01100102', name: 'Großer Tiergarten', need: { value: -1.1, status: 'ok' }, supply: { value: 100, status: 'ok' }, class: 'low-high' },
    { code: '01', name: 'Withheld', need: { value: null, status: 'suppressed' }, supply: { value: 10, status: 'ok' }, class: 'suppressed' },
    { code: '02', name: 'Empty, "quoted"', need: { value: 1, status: 'ok' }, supply: { value: null, status: 'missing' }, class: 'no_data' },
  ],
  gaps: [{ rank: 1, code: '05200526', name: 'Rudolf-Wissell-Großsiedlung', need: 2.82, supply: 0 }],
  note: '',
};

describe('gap legend', () => {
  it('lays the nine classes out with need rising upwards and supply falling to the right', () => {
    // Shuffled: the layout follows need and supply, not the answer's order.
    const g = gapGrid([...classes].reverse());
    expect(g.rows).toEqual(['high', 'mid', 'low']);
    expect(g.cols).toEqual(['high', 'mid', 'low']);
    expect(g.cells.map((r) => r.map((c) => c?.key))).toEqual([
      ['high-high', 'high-mid', 'high-low'],
      ['mid-high', 'mid-mid', 'mid-low'],
      ['low-high', 'low-mid', 'low-low'],
    ]);
    // The gap corner (top right) is the darkest colour, the opposite corner the lightest.
    expect(g.cells[0]![2]!.color).toBe('#3b4994');
    expect(g.cells[2]![0]!.color).toBe('#e8e8e8');
    expect(g.cells[0]![2]!.count).toBe(8);
  });

  it('finds classes by key when need and supply are not given, and leaves a missing one empty', () => {
    const bare = classes.filter((c) => c.key !== 'mid-mid').map(({ need: _n, supply: _s, ...c }) => c);
    const g = gapGrid(bare);
    expect(g.cells[0]![2]!.key).toBe('high-low');
    expect(g.cells[1]![1]).toBeNull();
  });
});

describe('gap map and exports', () => {
  it('paints classes by colour, withheld hatched and no data grey', () => {
    const p = gapPaints(answer);
    expect(p.get('05200526')).toEqual({ fill: '#3b4994', st: 'ok' });
    expect(p.get('01100102')).toEqual({ fill: '#e8e8e8', st: 'ok' });
    expect(p.get('01')).toEqual({ fill: null, st: 'suppressed' });
    expect(p.get('02')).toEqual({ fill: null, st: 'missing' });
  });

  it('asks /gaps for the level and, when chosen, need, supply and cut-offs', () => {
    expect(gapQuery({ ...defaultState(), level: 'planungsraum' })).toEqual({ level: 'planungsraum', need: null, supply: null, need_breaks: null, supply_breaks: null });
    expect(
      gapQuery({ ...defaultState(), level: 'planungsraum', gapNeed: 'mss-status-index', gapSupply: 'jugendfreizeit-abdeckung-500m', gapNeedBreaks: [1, 1.5], gapSupplyBreaks: [0, 50] }),
    ).toEqual({ level: 'planungsraum', need: 'mss-status-index', supply: 'jugendfreizeit-abdeckung-500m', need_breaks: '1,1.5', supply_breaks: '0,50' });
  });

  it('reads typed cut-offs with a decimal comma or point, and refuses others', () => {
    expect(readBreaks('1', '1,5')).toEqual([1, 1.5]);
    expect(readBreaks(' -0.5 ', '2')).toEqual([-0.5, 2]);
    expect(readBreaks('2', '1')).toBe('order');
    expect(readBreaks('1', '1')).toBe('order');
    expect(readBreaks('', '1')).toBe('invalid');
    expect(readBreaks(' ', '')).toBeNull(); // automatic: the pair's cut-offs or the terciles
    expect(readBreaks('a', '1')).toBe('invalid');
  });

  it('writes the ranked gaps and every area as CSV, quoting where needed, no number for withheld values', () => {
    expect(gapsCSV(answer)).toBe('rank,code,name,need:mss-status-index,supply:jfe-500m\r\n1,05200526,Rudolf-Wissell-Großsiedlung,2.82,0\r\n');
    const lines = areasCSV(answer, 'de').trim().split('\r\n');
    expect(lines[0]).toBe('code,name,class,label,need:mss-status-index,need_status,supply:jfe-500m,supply_status');
    expect(lines[1]).toBe('05200526,Rudolf-Wissell-Großsiedlung,high-low,"Bedarf high, Angebot low",2.82,ok,0,ok');
    expect(lines[3]).toBe('01,Withheld,suppressed,geheim,,suppressed,10,ok');
    expect(lines[4]).toBe('02,"Empty, ""quoted""",no_data,keine Angabe,1,ok,,missing');
    expect(areasCSV(answer, 'en').split('\r\n')[1]).toContain('"need high, supply low"');
  });
});
