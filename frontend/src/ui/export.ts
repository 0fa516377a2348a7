// Download of the current view as PNG: the map canvas (kept drawable by
// preserveDrawingBuffer) with a band below that names indicator, level and
// date and repeats the legend, so that the picture stands on its own.

import type { App } from '../app';
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
