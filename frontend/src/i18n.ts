// All strings the app shows are in src/i18n/<lang>.json; German is the
// default, English the switch. Data (indicator names, units, sources) come
// from the API as they were imported. t() fills {placeholders}.

import de from './i18n/de.json';
import en from './i18n/en.json';
import type { Lang } from './format';

export type MessageKey = keyof typeof de;
export type Messages = Record<MessageKey, string>;

export const messages: Record<Lang, Messages> = { de, en };

let current: Lang = 'de';

export function setLang(lang: Lang): void {
  current = lang;
}

export function lang(): Lang {
  return current;
}

/** The message for a key in the current language, with {name} replaced by vars.name. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const msg = messages[current][key] ?? messages.de[key] ?? key;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
