// Numbers and dates in the reader's language: German by default (decimal
// comma, 1.234,5), English on request. Every number the app shows goes
// through here, so that map tooltip, panel, legend and tables agree.

export type Lang = 'de' | 'en';

const locales: Record<Lang, string> = { de: 'de-DE', en: 'en-GB' };

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, digits: number, signed = false): Intl.NumberFormat {
  const key = `${lang}|${digits}|${signed}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locales[lang], {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    numberFormats.set(key, f);
  }
  return f;
}

/** Clamps an indicator's precision to what Intl accepts and is sensible. */
export function digitsOf(precision: number | undefined): number {
  if (precision === undefined || !Number.isFinite(precision)) return 1;
  return Math.min(6, Math.max(0, Math.round(precision)));
}

/** A number with the indicator's decimals, or "–" when there is none. */
export function formatNumber(v: number | null | undefined, lang: Lang, precision?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  // -0 would show as "-0,0" after rounding: show 0 instead.
  const f = numberFormat(lang, digitsOf(precision));
  const s = f.format(v);
  return /^[-−]0([.,]0*)?$/.test(s) ? f.format(0) : s;
}

/** A difference with its sign (+1,2 / −0,4); 0 without one. */
export function formatSigned(v: number | null | undefined, lang: Lang, precision?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return numberFormat(lang, digitsOf(precision), true).format(v);
}

/** A value with its unit: "12,5 %", "3,1 je km²". Units like "Index" or "Gruppe" follow too. */
export function formatValue(v: number | null | undefined, unit: string, lang: Lang, precision?: number): string {
  const n = formatNumber(v, lang, precision);
  if (n === '–' || !unit) return n;
  return `${n}\u00a0${unit}`;
}

/** A whole count: 1.234 (de), 1,234 (en). */
export function formatCount(n: number, lang: Lang): string {
  return numberFormat(lang, 0).format(n);
}

/** An ISO date (YYYY-MM-DD) as the reader writes it: 31.12.2020 (de), 31/12/2020 (en). */
export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '–';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locales[lang], { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

/**
 * The range of class i of a legend whose breaks are inclusive upper bounds:
 * the first class runs from the minimum, every other from above the previous
 * break. Returns [from, to] as formatted strings.
 */
export function classRange(breaks: number[], min: number, i: number, lang: Lang, precision?: number): [string, string] {
  const lo = i === 0 ? min : breaks[i - 1];
  const hi = breaks[i];
  return [formatNumber(lo ?? null, lang, precision), formatNumber(hi ?? null, lang, precision)];
}
