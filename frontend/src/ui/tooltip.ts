// The hover tooltip: a unit's name, code, value and class, or an offer's
// name, category, provider and places.

import type { App } from '../app';
import { crossCell } from '../classes';
import { byId, fill, h } from '../dom';
import { formatCount, formatValue } from '../format';
import { gapLabel } from '../gaps';
import { t } from '../i18n';

export function initTooltip(app: App): void {
  const tip = byId('tooltip');
  let overOffer = false;
  const place = (p: { x: number; y: number }) => {
    const wrap = byId('map').getBoundingClientRect();
    const x = Math.min(p.x + 14, wrap.width - tip.offsetWidth - 8);
    const y = p.y + 14 + tip.offsetHeight > wrap.height ? p.y - tip.offsetHeight - 10 : p.y + 14;
    tip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
  };
  app.amap.onOfferHover = (f, p) => {
    overOffer = !!f;
    if (!f) return;
    const layer = app.layers.find((l) => l.id === f.layer);
    const str = (k: string) => (typeof f.props[k] === 'string' ? (f.props[k] as string) : null);
    const cap = f.props['capacity'];
    fill(
      tip,
      h('strong', {}, str('name') ?? ''),
      h('span', { className: 'muted block' }, [layer?.name, str('category')].filter(Boolean).join(' · ')),
      str('provider') ? h('span', { className: 'block' }, `${t('offers.providerLabel')}: ${str('provider')}${str('provider_type') ? ` (${str('provider_type')})` : ''}`) : null,
      typeof cap === 'number' ? h('span', { className: 'block' }, t('offers.capacity', { n: formatCount(cap, app.state.lang) })) : null,
      str('address') ? h('span', { className: 'block muted' }, str('address')!) : null,
    );
    tip.hidden = false;
    place(p);
  };
  app.amap.onUnitHover = (f, p) => {
    if (overOffer) return;
    const cur = app.current;
    if (!f || !cur) {
      tip.hidden = true;
      return;
    }
    const row = cur.byCode.get(f.code);
    const lang = app.state.lang;
    let value = t('panel.missing');
    if (row?.status === 'ok') value = formatValue(row.value, cur.ind.unit, lang, cur.ind.precision);
    if (row?.status === 'suppressed') value = t('panel.suppressed');
    let cls = row?.class ?? null;
    const cross = app.crossLegend();
    if (cross && row?.value != null) {
      const cell = crossCell(cross, row.value);
      if (cell) cls = `${cross.rows[cell[0]]} / ${cross.cols[cell[1]]}`;
    }
    if (app.state.mode === 'lisa' && cur.lisa) {
      const lu = cur.lisa.units.find((u) => u.code === f.code);
      cls = lu ? t(`lisa.${lu.cluster}`) : null;
    }
    const gap = app.gapShown() ? cur.gap : null;
    if (gap) {
      // The gap view: the class and both values, not the indicator's.
      const a = gap.areas.find((x) => x.code === f.code);
      const c = a ? [...gap.legend.classes, gap.legend.no_data, gap.legend.suppressed].find((k) => k.key === a.class) : undefined;
      const prec = (id: string) => app.indicators.find((i) => i.id === id)?.precision ?? 2;
      const v = (x: { value: number | null; status: string } | undefined, unit: string, p: number) =>
        x?.status === 'ok' ? formatValue(x.value, unit, lang, p) : t(x?.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing');
      fill(
        tip,
        h('strong', {}, f.name),
        h('span', { className: 'muted' }, ` ${f.code}`),
        h('span', { className: 'block' }, c ? gapLabel(c, lang) : t('legend.noData')),
        h('span', { className: 'block muted' }, `${gap.need.name}: ${v(a?.need, gap.need.unit, prec(gap.need.indicator))}`),
        h('span', { className: 'block muted' }, `${gap.supply.name}: ${v(a?.supply, gap.supply.unit, prec(gap.supply.indicator))}`),
      );
      tip.hidden = false;
      place(p);
      return;
    }
    fill(
      tip,
      h('strong', {}, f.name),
      h('span', { className: 'muted' }, ` ${f.code}`),
      h('span', { className: 'block' }, `${cur.ind.name}: `, h('b', {}, value)),
      cls ? h('span', { className: 'block muted' }, `${t('panel.class')}: ${cls}`) : null,
    );
    tip.hidden = false;
    place(p);
  };
  byId('map').addEventListener('mouseleave', () => (tip.hidden = true));
}
