// A three-column grid of video covers. Each ready tile links to the player;
// own videos can show their processing state (those tiles are not links).

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { formatCount, plural } from '../lib/format.js';

/** A video's processing state; a missing state means ready. */
export function videoState(video) {
  return video.state === 'processing' || video.state === 'failed' ? video.state : 'ready';
}

/** hrefFor(video) gives the player link; showState adds processing badges. */
export function videoGrid(videos, { hrefFor, showState = false, label = 'Videos' }) {
  const grid = h('ul', { class: 'video-grid', 'aria-label': label });
  for (const video of videos) {
    const state = showState ? videoState(video) : 'ready';
    const cover = h('img', { class: 'video-grid__cover', src: video.cover_url, alt: '', loading: 'lazy', decoding: 'async' });
    cover.addEventListener('error', () => cover.classList.add('is-broken'), { once: true });
    const badge = state === 'ready' ? null
      : h('span', { class: ['state-badge', `state-badge--${state}`], title: video.state_reason || null },
        state === 'processing' ? 'Processing…' : 'Failed');
    // Only ready videos can be played: other tiles show their state but link nowhere.
    const tile = state === 'ready'
      ? { tag: 'a', attrs: { href: `#${hrefFor(video)}` } }
      : { tag: 'div', attrs: { role: 'img', 'aria-disabled': 'true' } };
    grid.append(h('li', { class: ['video-grid__item', `is-${state}`], dataset: { videoId: video.id, state } },
      h(tile.tag, {
        class: 'video-grid__link',
        ...tile.attrs,
        'aria-label': `${video.title || 'Untitled'}, ${plural(video.favorite_count, 'like')}${state === 'ready' ? '' : `, ${state}`}`,
      },
      cover,
      badge,
      h('span', { class: 'video-grid__meta' }, icon('heart'), h('span', { text: formatCount(video.favorite_count) })),
      h('span', { class: 'video-grid__title', text: video.title }))));
  }
  return grid;
}
