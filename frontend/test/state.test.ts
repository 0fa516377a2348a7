import { describe, expect, it } from 'vitest';
import { defaultState, parseState, serializeState, type ViewState } from '../src/state';

const full: ViewState = {
  indicator: 'mss-status-index',
  level: 'planungsraum',
  date: '2020-12-31',
  method: 'jenks',
  k: 7,
  scheme: 'PuBu',
  mode: 'lisa',
  center: [13.40495, 52.52001],
  zoom: 11.25,
  unit: '01100101',
  compare: ['01100101', '01100102', '08100521'],
  offers: ['kitas', 'pflege'],
  category: 'Kindertagesstätte',
  provider: 'Sonstiger freier Träger',
  gapNeed: null,
  gapSupply: null,
  gapNeedBreaks: null,
  gapSupplyBreaks: null,
  tab: 'compare',
  lang: 'en',
};

/** The acceptance walk's gap view: need, supply and both cut-offs, as a shared link carries them. */
const gapView: ViewState = {
  ...full,
  mode: 'gap',
  compare: [],
  unit: '05200526',
  gapNeed: 'mss-status-index',
  gapSupply: 'jugendfreizeit-abdeckung-500m',
  gapNeedBreaks: [1, 1.5],
  gapSupplyBreaks: [0, 50],
  tab: 'gaps',
  lang: 'de',
};

describe('URL state', () => {
  it('round-trips every field of a view', () => {
    const url = serializeState(full);
    expect(parseState(url)).toEqual(full);
    // And the URL is stable: writing the parsed view again gives the same text.
    expect(serializeState(parseState(url))).toBe(url);
  });

  it('writes the default view as an empty query and reads it back', () => {
    expect(serializeState(defaultState())).toBe('');
    expect(parseState('')).toEqual(defaultState());
  });

  it('keeps the URL readable: fixed order, commas unescaped, umlauts encoded', () => {
    const url = serializeState(full);
    expect(url.startsWith('?i=mss-status-index&l=planungsraum&d=2020-12-31&m=jenks&k=7&s=PuBu&v=lisa&p=13.40495,52.52001,11.25&u=01100101')).toBe(true);
    expect(url).toContain('c=01100101,01100102,08100521');
    expect(url).toContain('oc=Kindertagesst%C3%A4tte');
    expect(url).toContain('lang=en');
  });

  it('rounds the position to 5 decimals and the zoom to 2', () => {
    const s = { ...defaultState(), center: [13.123456789, 52.987654321] as [number, number], zoom: 10.98765 };
    expect(serializeState(s)).toBe('?p=13.12346,52.98765,10.99');
  });

  it('drops what is malformed and keeps the rest', () => {
    const s = parseState('?i=Bad%20Id&l=bezirk&d=2020-13&m=magic&k=99&s=<b>&v=other&p=500,1,3&c=a,,a,b,c,d,e,f&t=nope&lang=fr');
    expect(s).toEqual({ ...defaultState(), level: 'bezirk', compare: ['a', 'b', 'c', 'd', 'e'] });
  });

  it('round-trips the gap view: mode, need, supply and cut-offs', () => {
    const url = serializeState(gapView);
    expect(url).toContain('v=gap');
    expect(url).toContain('gn=mss-status-index&gs=jugendfreizeit-abdeckung-500m&gnb=1,1.5&gsb=0,50&t=gaps');
    expect(parseState(url)).toEqual(gapView);
    expect(serializeState(parseState(url))).toBe(url);
    // Negative and fractional cut-offs survive too.
    const s = { ...defaultState(), mode: 'gap' as const, gapNeedBreaks: [-0.25, 1e-3] as [number, number] };
    expect(parseState(serializeState(s)).gapNeedBreaks).toEqual([-0.25, 0.001]);
  });

  it('drops malformed gap parameters: cut-offs not two increasing numbers, bad ids', () => {
    const s = parseState('?v=gap&gn=Bad%20Id&gs=ok-id&gnb=2,1&gsb=1,x');
    expect(s.mode).toBe('gap');
    expect(s.gapNeed).toBeNull();
    expect(s.gapSupply).toBe('ok-id');
    expect(s.gapNeedBreaks).toBeNull();
    expect(s.gapSupplyBreaks).toBeNull();
    expect(parseState('?gnb=1,1,2').gapNeedBreaks).toBeNull();
    expect(parseState('?gnb=,1').gapNeedBreaks).toBeNull();
    expect(parseState('?gnb=1,1').gapNeedBreaks).toBeNull();
    expect(parseState('?t=inventory').tab).toBe('inventory');
  });

  it('ignores k without a method: the indicator default decides', () => {
    expect(parseState('?k=4').k).toBeNull();
    expect(parseState('?m=quantile&k=4').k).toBe(4);
    expect(serializeState({ ...defaultState(), k: 4 })).toBe('');
  });
});
