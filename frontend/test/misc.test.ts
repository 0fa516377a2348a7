import { describe, expect, it } from 'vitest';
import de from '../src/i18n/de.json';
import en from '../src/i18n/en.json';
import { chartGeometry } from '../src/chart';
import { withQuery, type RankedUnit } from '../src/api';
import { bboxOf } from '../src/geo';
import { sortRanking } from '../src/ui/ranking';
import { searchUnits } from '../src/ui/search';
import { fold, matchesIndicator } from '../src/ui/indicators';
import type { Indicator } from '../src/api';

describe('messages', () => {
  it('have the same keys in German and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
    for (const [k, v] of [...Object.entries(de), ...Object.entries(en)]) expect(v, k).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(de) as (keyof typeof de)[]) expect(ph(en[k]), k).toEqual(ph(de[k]));
  });
});

describe('time series chart', () => {
  it('places dates by time and breaks the line at a withheld value', () => {
    const g = chartGeometry(
      [
        { date: '2020-12-31', value: 10, status: 'ok' },
        { date: '2018-12-31', value: 20, status: 'ok' },
        { date: '2019-12-31', value: null, status: 'suppressed' },
        { date: '2022-12-31', value: 15, status: 'ok' },
      ],
      100,
      50,
      10,
    );
    expect(g.points.map((p) => p.date)).toEqual(['2018-12-31', '2019-12-31', '2020-12-31', '2022-12-31']);
    expect(g.points[0]).toMatchObject({ x: 10, y: 10 }); // highest value at the top
    expect(g.points[2]!.y).toBe(40); // lowest at the bottom
    expect(g.points[1]!.y).toBeNull();
    expect(g.path.startsWith('M10,10M')).toBe(true); // the pen lifts over the gap
    expect(g.path.match(/L/g)).toHaveLength(1);
    expect(g.points[3]!.x).toBe(90);
  });

  it('centres a single value', () => {
    const g = chartGeometry([{ date: '2020-12-31', value: 3, status: 'ok' }], 100, 50);
    expect(g.points[0]).toMatchObject({ x: 50, y: 25 });
    expect(g.min).toBe(3);
  });
});

describe('helpers', () => {
  it('builds queries without empty parameters', () => {
    expect(withQuery('/v', { level: 'bezirk', date: null, k: 5, scheme: '' })).toBe('/v?level=bezirk&k=5');
    expect(withQuery('/v', { units: '01,02' })).toBe('/v?units=01%2C02');
  });

  it('finds the bounding box of any geometry', () => {
    expect(bboxOf([[[[13, 52], [13.5, 52.6], [13.2, 52.1], [13, 52]]]])).toEqual([13, 52, 13.5, 52.6]);
    expect(bboxOf([])).toBeNull();
  });

  it('sorts the ranking by any column, units without a value last', () => {
    const u = (rank: number | null, code: string, name: string, value: number | null): RankedUnit => ({ rank, code, name, value, status: value === null ? 'missing' : 'ok' });
    const rows = [u(2, '02', 'Ärztestraße', 5), u(null, '04', 'Aue', null), u(1, '03', 'Zoo', 9), u(3, '01', 'Berg', 1)];
    expect(sortRanking(rows, 'rank', true).map((r) => r.code)).toEqual(['03', '02', '01', '04']);
    expect(sortRanking(rows, 'value', true).map((r) => r.code)).toEqual(['01', '02', '03', '04']);
    expect(sortRanking(rows, 'value', false).map((r) => r.code)).toEqual(['03', '02', '01', '04']);
    expect(sortRanking(rows, 'name', true).map((r) => r.name)).toEqual(['Ärztestraße', 'Aue', 'Berg', 'Zoo']);
    expect(sortRanking(rows, 'code', false).map((r) => r.code)).toEqual(['04', '03', '02', '01']);
  });

  it('finds units by name (without umlauts) and code', () => {
    const units = [
      { code: '01100101', name: 'Stülerstraße' },
      { code: '01100102', name: 'Großer Tiergarten' },
      { code: '08100521', name: 'Schulenburgpark' },
    ];
    expect(searchUnits(units, 'stuelerstr').map((u) => u.code)).toEqual(['01100101']);
    expect(searchUnits(units, 'grosser').map((u) => u.code)).toEqual(['01100102']);
    expect(searchUnits(units, '011001').map((u) => u.code)).toEqual(['01100101', '01100102']);
    expect(searchUnits(units, 'park').map((u) => u.code)).toEqual(['08100521']);
    expect(searchUnits(units, '  ')).toEqual([]);
  });

  it('searches indicators by every word', () => {
    const ind = { id: 'mss_s4', name: 'Kinderarmut', description: 'Anteil der Kinder unter 15 in Bedarfsgemeinschaften', topic: 'Soziale Lage', unit: '%' } as Indicator;
    expect(matchesIndicator(ind, 'kinder lage')).toBe(true);
    expect(matchesIndicator(ind, 'kinder kita')).toBe(false);
    expect(fold('Übergänge')).toBe('uebergaenge');
  });
});
