import { describe, expect, it } from 'vitest';
import { withQuery } from '../src/api';
import { createBody, draftOf, emptyFilter, inputOf, inventoryQuery, normalizeOffer, offerPatch, validateOffer } from '../src/inventory';

describe('inventory filter → query string', () => {
  it('leaves out empty filters', () => {
    expect(inventoryQuery(emptyFilter())).toEqual({});
    expect(withQuery('/api/v1/layers/kitas/offers', { ...inventoryQuery(emptyFilter()), format: 'csv' })).toBe('/api/v1/layers/kitas/offers?format=csv');
  });

  it('writes every filter the offers list, its exports and the counts take', () => {
    const f = {
      ...emptyFilter(),
      q: '  Familienzentrum Neukölln ',
      category: 'Beratung',
      provider_type: 'freier Träger',
      goal: 'Existenzsicherung',
      target_group: 'Geflüchtete',
      household_type: 'single_parent',
      condition: 'free_of_charge',
      age: '16',
      barrier_free: 'unknown',
      date: '2024-06-30',
    };
    expect(withQuery('/api/v1/layers/beratung/offers', { ...inventoryQuery(f), format: 'xlsx' })).toBe(
      '/api/v1/layers/beratung/offers?q=Familienzentrum%20Neuk%C3%B6lln&category=Beratung&provider_type=freier%20Tr%C3%A4ger&goal=Existenzsicherung&target_group=Gefl%C3%BCchtete&household_type=single_parent&condition=free_of_charge&age=16&barrier_free=unknown&date=2024-06-30&format=xlsx',
    );
  });

  it('drops what the API would refuse: ages out of 0–130, malformed dates, unknown barrier-free values; cuts the search at 200', () => {
    const q = inventoryQuery({ ...emptyFilter(), age: '131', date: '30.06.2024', barrier_free: 'maybe', q: 'x'.repeat(250) });
    expect(q).toEqual({ q: 'x'.repeat(200) });
    expect(inventoryQuery({ ...emptyFilter(), age: '-1' })).toEqual({});
    expect(inventoryQuery({ ...emptyFilter(), age: '0' })).toEqual({ age: 0 });
    expect(inventoryQuery({ ...emptyFilter(), age: '6.5' })).toEqual({});
  });
});

describe('offer form', () => {
  const placed = () => ({ ...draftOf(null, 13.4, 52.5), name: 'Stadtteilmütter' });

  it('sends a new offer with the fields given and its place', () => {
    const d = { ...placed(), provider_type: 'non_profit', goals: ['Bildung'], age_min: '6', age_max: '27', languages: 'de, TR', target_groups: 'Geflüchtete; Familien' };
    expect(validateOffer(d)).toEqual({});
    expect(createBody(d)).toEqual({
      name: 'Stadtteilmütter',
      provider_type: 'non_profit',
      goals: ['Bildung'],
      age_min: 6,
      age_max: 27,
      languages: ['de', 'tr'],
      target_groups: ['Geflüchtete', 'Familien'],
      lon: 13.4,
      lat: 52.5,
    });
  });

  it('catches typing slips before the server does', () => {
    expect(validateOffer({ ...placed(), name: ' ' })).toEqual({ name: 'required' });
    expect(validateOffer({ ...placed(), age_min: '18', age_max: '6' })).toEqual({ age_max: 'order' });
    expect(validateOffer({ ...placed(), age_min: '6.5', capacity: '-1' })).toEqual({ age_min: 'number', capacity: 'range' });
    expect(validateOffer({ ...placed(), conditions: ['free_of_charge', 'fee'] })).toEqual({ conditions: 'exclusive' });
    expect(validateOffer({ ...placed(), languages: 'deutsch' })).toEqual({ languages: 'language' });
    expect(validateOffer({ ...placed(), valid_from: '2025-01-01', valid_to: '2024-12-31' })).toEqual({ valid_to: 'order' });
    expect(validateOffer({ ...placed(), lon: '' })).toEqual({ lon: 'place' });
    expect(validateOffer({ ...placed(), lat: '95' })).toEqual({ lon: 'place' });
    expect(inputOf({ ...placed(), lon: '13,45' }).lon).toBe(13.45);
  });

  it('patches only what changed; null clears; the place only when it moved', () => {
    const stored = draftOf(
      { id: 'kita_1', name: 'Kita F.A.I.R.play', provider_type: 'Sonstiger freier Träger', capacity: 69, address: 'Albrechtstr. 20', goals: ['Bildung'] },
      13.384393,
      52.522516,
    );
    // A publisher's provider type outside the vocabulary is not sent back unchanged.
    expect(offerPatch(stored, { ...stored, capacity: '75' })).toEqual({ capacity: 75 });
    expect(offerPatch(stored, { ...stored, address: '', goals: [] })).toEqual({ address: null, goals: null });
    expect(offerPatch(stored, { ...stored, goals: ['Bildung', 'Gesundheit'], barrier_free: 'true' })).toEqual({ goals: ['Bildung', 'Gesundheit'], barrier_free: true });
    expect(offerPatch(stored, { ...stored, lat: '52.53' })).toEqual({ lon: 13.384393, lat: 52.53 });
    expect(offerPatch(stored, stored)).toEqual({});
  });
});

describe('offers list', () => {
  it('reads the comma-separated lists of the GeoJSON as arrays, and keeps arrays', () => {
    const o = normalizeOffer({ id: 'o-1', name: 'Multi', goals: 'Bildung,Gesundheit', household_types: 'family, single_parent', target_groups: '', languages: ['de'], conditions: null });
    expect(o.goals).toEqual(['Bildung', 'Gesundheit']);
    expect(o.household_types).toEqual(['family', 'single_parent']);
    expect(o.target_groups).toBeNull();
    expect(o.languages).toEqual(['de']);
    expect(o.conditions).toBeNull();
    expect(offerPatch(draftOf(o, 1, 2), draftOf(o, 1, 2))).toEqual({});
  });
});
