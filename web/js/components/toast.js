// Transient notifications in a polite live region.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { secondsUntilRetry } from '../api/http.js';
import { retryHint } from './retry-hint.js';

const ERROR_MS = 5000;
// A rate-limit toast stays while its countdown runs, but not past this: a long
// wait would otherwise cover the page, and the server's message names the wait.
const RATE_LIMIT_MAX_MS = 20000;

let region = null;

export function createToastRegion() {
  // A manual popover lives in the top layer, so toasts stay visible above an
  // open modal <dialog> (e.g. an error while the comments panel is open).
  region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite', popover: 'manual' });
  return region;
}

function bringToFront() {
  if (typeof region.showPopover !== 'function') return;
  if (region.matches(':popover-open')) region.hidePopover();
  region.showPopover();
}

function hideIfEmpty() {
  if (region.children.length === 0 && typeof region.hidePopover === 'function' && region.matches(':popover-open')) {
    region.hidePopover();
  }
}

/** Show a message (text, or a node); kind: 'info' | 'error' | 'success'. */
export function toast(message, kind = 'info', durationMs = 3500) {
  if (!region) return;
  const item = h('div', { class: ['toast', `toast--${kind}`] },
    icon(kind === 'error' ? 'alert' : kind === 'success' ? 'check' : 'spark'),
    message instanceof Node ? message : h('span', { text: message }));
  region.append(item);
  while (region.children.length > 3) region.firstElementChild.remove();
  bringToFront();
  setTimeout(() => {
    item.classList.add('toast--leaving');
    setTimeout(() => { item.remove(); hideIfEmpty(); }, 250);
  }, durationMs);
}

/**
 * Report a failed action: the server's status_msg when there is one, and for
 * a rate limit also a countdown to when the action works again.
 */
export function toastError(error, fallback = 'Something went wrong.') {
  const message = error?.message || fallback;
  const hint = retryHint();
  if (!hint.start(error)) { toast(message, 'error', ERROR_MS); return; }
  const waitMs = secondsUntilRetry(error) * 1000;
  toast(h('span', { class: 'toast__text' }, h('span', { text: message }), hint.el), 'error',
    Math.min(RATE_LIMIT_MAX_MS, Math.max(ERROR_MS, waitMs)));
}
