// Download of the current view as PNG: the map canvas (kept drawable by
// preserveDrawingBuffer) with a band below that names indicator, level and
// date and repeats the legend, so that the picture stands on its own. And
// the server's map of the gap view (PDF), with the view's parameters.

import type { App } from '../app';
import type { Query } from '../api';
import { gapMapURL } from '../gaps';
import { hatchColor } from '../classes';
import { formatDate } from '../format';
import { t } from '../i18n';
import { legendItems } from './legend';

export async function exportPNG(app: App): Promise<void> {
  const cur = app.current;
  const src = app.amap.map.getCanvas();
  const dpr = src.width / src.clientWidth || 1;
  const items = legendItems(app);
  const perRow = Math.max(1, Math.floor(src.width / (200 * dpr)));
  const band = Math.round((56 + Math.ceil(items.length / perRow) * 22 + 24) * dpr);
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height + band;
  const g = out.getContext('2d');
  if (!g) return;
  g.drawImage(src, 0, 0);
  g.fillStyle = '#ffffff';
  g.fillRect(0, src.height, out.width, band);
  g.fillStyle = '#1a1a1a';
  g.font = `600 ${16 * dpr}px system-ui, sans-serif`;
  let y = src.height + 24 * dpr;
  const level = app.levelById(app.state.level)?.name ?? '';
  const gap = app.gapShown() ? cur?.gap : null;
  if (gap) g.fillText(`${t('gaps.mapTitle', { need: gap.need.name, supply: gap.supply.name })} · ${level}`, 12 * dpr, y);
  else if (cur) g.fillText(`${cur.ind.name} (${cur.ind.unit}) · ${level} · ${formatDate(cur.date, app.state.lang)}`, 12 * dpr, y);
  g.font = `${12 * dpr}px system-ui, sans-serif`;
  y += 24 * dpr;
  items.forEach((it, i) => {
    const x = 12 * dpr + (i % perRow) * 200 * dpr;
    const yy = y + Math.floor(i / perRow) * 22 * dpr;
    g.fillStyle = it.color;
    g.fillRect(x, yy - 11 * dpr, 16 * dpr, 14 * dpr);
    g.strokeStyle = '#666666';
    g.strokeRect(x, yy - 11 * dpr, 16 * dpr, 14 * dpr);
    if (it.hatched) {
      g.save();
      g.beginPath();
      g.rect(x, yy - 11 * dpr, 16 * dpr, 14 * dpr);
      g.clip();
      g.strokeStyle = hatchColor;
      g.lineWidth = 1.5 * dpr;
      for (let d = -16; d <= 16; d += 4) {
        g.beginPath();
        g.moveTo(x + d * dpr, yy + 3 * dpr);
        g.lineTo(x + (d + 14) * dpr, yy - 11 * dpr);
        g.stroke();
      }
      g.restore();
    }
    g.fillStyle = '#1a1a1a';
    g.fillText(it.label, x + 22 * dpr, yy);
  });
  g.fillStyle = '#4a4a4a';
  g.font = `${10 * dpr}px system-ui, sans-serif`;
  const inds = gap ? [gap.need.indicator, gap.supply.indicator].map((id) => app.indicators.find((i) => i.id === id)?.attribution) : [cur?.ind.attribution];
  const attribution = [...new Set([...inds, app.levelById(app.state.level)?.attribution])].filter(Boolean).join(' · ');
  g.fillText(`sozialatlas · ${attribution}`, 12 * dpr, out.height - 10 * dpr);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = gap
    ? `sozialatlas_luecken_${gap.need.indicator}_${gap.supply.indicator}_${app.state.level ?? ''}.png`
    : `sozialatlas_${cur?.ind.id ?? 'karte'}_${app.state.level ?? ''}_${cur?.date ?? ''}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  app.announce(t('tools.pngDone'));
}

/** The part of the city in view as the maps' bbox (minLon,minLat,maxLon,maxLat, latitudes within ±85°); null before the map exists. */
export function viewBBox(app: App): string | null {
  if (!app.amap) return null;
  const b = app.amap.map.getBounds();
  const r = (v: number) => Math.round(v * 1e5) / 1e5;
  const lat = (v: number) => Math.max(-85, Math.min(85, v));
  return [r(Math.max(-180, b.getWest())), r(lat(b.getSouth())), r(Math.min(180, b.getEast())), r(lat(b.getNorth()))].join(',');
}

/**
 * Points the PDF link at the server's gap map of this view
 * (/maps/{level}/_gap.pdf): the same need, supply and cut-offs as the
 * view's /gaps question, its language, the part in view and the first
 * offer layer shown.
 */
export function setGapMapLink(app: App, link: HTMLAnchorElement): void {
  const s = app.state;
  const extra: Query = { lang: s.lang, offers: s.offers[0] ?? null, bbox: viewBBox(app) };
  const href = gapMapURL(s, extra);
  if (!href) {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
    return;
  }
  link.removeAttribute('aria-disabled');
  link.title = t('gaps.pdfTitle');
  link.href = href;
}
