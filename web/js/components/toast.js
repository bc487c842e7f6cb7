// Transient notifications in a polite live region.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

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

/** Show a message; kind: 'info' | 'error' | 'success'. */
export function toast(message, kind = 'info', durationMs = 3500) {
  if (!region) return;
  const item = h('div', { class: ['toast', `toast--${kind}`] },
    icon(kind === 'error' ? 'alert' : kind === 'success' ? 'check' : 'spark'),
    h('span', { text: message }));
  region.append(item);
  while (region.children.length > 3) region.firstElementChild.remove();
  bringToFront();
  setTimeout(() => {
    item.classList.add('toast--leaving');
    setTimeout(() => { item.remove(); hideIfEmpty(); }, 250);
  }, durationMs);
}

/** Report a failed action: the server's status_msg when there is one. */
export function toastError(error, fallback = 'Something went wrong.') {
  toast(error?.message || fallback, 'error', 5000);
}
