// Display formatting: counts, times, names.

/** 999 -> "999", 1234 -> "1.2K", 56789 -> "56.8K", 1234567 -> "1.2M". */
export function formatCount(value) {
  const n = Number(value) || 0;
  if (Math.abs(n) < 1000) return String(n);
  const [divisor, suffix] = Math.abs(n) < 1e6 ? [1e3, 'K'] : Math.abs(n) < 1e9 ? [1e6, 'M'] : [1e9, 'B'];
  const scaled = n / divisor;
  const text = scaled >= 100 ? Math.floor(scaled).toString() : (Math.floor(scaled * 10) / 10).toString();
  return text + suffix;
}

/** Short clock for chat: "14:05" today, "03-14 14:05" on other days. */
export function formatMessageTime(epochMs, now = new Date()) {
  const date = new Date(Number(epochMs));
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay ? clock : `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** "Mar 14" this year, "Mar 14, 2023" before it. */
function calendarDate(date, now) {
  const options = date.getFullYear() === now.getFullYear()
    ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' };
  return date.toLocaleDateString('en-US', options);
}

/**
 * How long ago, for lists: "now", "5m", "3h", "2d", then the date ("Mar 14").
 * A time slightly ahead of this device's clock counts as "now".
 */
export function formatRelativeTime(epochMs, now = new Date()) {
  const date = new Date(Number(epochMs));
  if (Number.isNaN(date.getTime())) return '';
  const age = Math.max(0, now.getTime() - date.getTime());
  if (age < MINUTE_MS) return 'now';
  if (age < HOUR_MS) return `${Math.floor(age / MINUTE_MS)}m`;
  if (age < DAY_MS) return `${Math.floor(age / HOUR_MS)}h`;
  if (age < WEEK_MS) return `${Math.floor(age / DAY_MS)}d`;
  return calendarDate(date, now);
}

/** The same age in words, for screen readers: "just now", "5 minutes ago", "on Mar 14". */
export function describeRelativeTime(epochMs, now = new Date()) {
  const date = new Date(Number(epochMs));
  if (Number.isNaN(date.getTime())) return '';
  const age = Math.max(0, now.getTime() - date.getTime());
  const ago = (count, unit) => `${count} ${count === 1 ? unit : `${unit}s`} ago`;
  if (age < MINUTE_MS) return 'just now';
  if (age < HOUR_MS) return ago(Math.floor(age / MINUTE_MS), 'minute');
  if (age < DAY_MS) return ago(Math.floor(age / HOUR_MS), 'hour');
  if (age < WEEK_MS) return ago(Math.floor(age / DAY_MS), 'day');
  return `on ${calendarDate(date, now)}`;
}

/** Bytes as "1.4 MB". */
export function formatBytes(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}

/** First letter (code point) of a name, upper-cased, for avatar fallbacks. */
export function initialOf(name) {
  const first = Array.from(String(name ?? '').trim())[0];
  return first ? first.toUpperCase() : '?';
}

/** Length in Unicode code points, the unit the server counts in. */
export function codePointLength(text) {
  return Array.from(String(text ?? '')).length;
}

/** "1 comment" / "3 comments". */
export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${formatCount(count)} ${Number(count) === 1 ? singular : pluralForm}`;
}

/** Server messages are sentences that may start in lower case: "the file is…" -> "The file is…". */
export function asSentence(message) {
  if (!message) return '';
  return message.charAt(0).toUpperCase() + message.slice(1);
}
