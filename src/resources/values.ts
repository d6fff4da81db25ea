// Conversions between wire values and stored values, shared by validation, queries and rendering.

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Octane's date-time form: ISO-8601 UTC with seconds precision, `2017-05-02T07:32:38Z`. */
export function formatDateTime(d: Date): string {
  // a request stamps every row it writes with the same time: the last answer is kept
  const time = d.getTime();
  if (time === formatted.time) return formatted.text;
  const iso = d.toISOString();
  // years 0000-9999 (YYYY-MM-DDTHH:mm:ss.sssZ) without a regular expression: it is on every write
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
  formatted.time = time;
  formatted.text = text;
  return text;
}

const formatted = { time: Number.NaN, text: '' };

/** Parses a date or date-time literal into Octane's stored form, or undefined when it is not one. */
export function parseDateTime(text: string): string | undefined {
  const t = text.trim();
  const dateOnly = DATE_ONLY.exec(t);
  if (dateOnly) {
    const d = new Date(Date.UTC(+dateOnly[1], +dateOnly[2] - 1, +dateOnly[3]));
    if (d.getUTCMonth() !== +dateOnly[2] - 1) return undefined;
    return formatDateTime(d);
  }
  const m = DATE_TIME.exec(t);
  if (!m) return undefined;
  const zone = m[7] ?? 'Z';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  if (+m[2] > 12 || +m[3] > 31 || +m[4] > 23 || +m[5] > 59 || +(m[6] ?? 0) > 59) return undefined;
  return formatDateTime(d);
}

/** Dates are kept at midnight UTC of the day given. */
export function parseDate(text: string): string | undefined {
  const full = parseDateTime(text);
  return full ? `${full.slice(0, 10)}T00:00:00Z` : undefined;
}

export function isIntegerText(text: string): boolean {
  return /^-?\d{1,15}$/.test(text.trim());
}
