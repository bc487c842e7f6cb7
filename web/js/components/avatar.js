// A round avatar image with an initial-letter fallback when the image is
// missing or fails to load.

import { h } from '../lib/dom.js';
import { initialOf } from '../lib/format.js';

/** size: 'xs' | 'sm' | 'md' | 'lg' | 'xl'. */
export function avatar(user, size = 'md') {
  const fallback = h('span', { class: 'avatar__initial', 'aria-hidden': 'true', text: initialOf(user?.name) });
  const el = h('span', { class: ['avatar', `avatar--${size}`] }, fallback);
  if (user?.avatar) {
    const img = h('img', { class: 'avatar__img', src: user.avatar, alt: '', loading: 'lazy', decoding: 'async' });
    img.addEventListener('error', () => img.remove(), { once: true });
    el.append(img);
  }
  return el;
}
