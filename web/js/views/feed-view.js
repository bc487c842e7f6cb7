// Home: the "For You" feed, newest first, paged with next_time -> latest_time.

import { h } from '../lib/dom.js';
import { api } from '../api/douyin.js';
import { createVideoFeed } from '../components/video-feed.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';

export function feedView() {
  const body = h('div', { class: 'feed-view__body' }, loadingBlock('Loading videos…'));
  const el = h('section', { class: 'view feed-view', tabindex: '-1', 'aria-label': 'For You feed' },
    h('header', { class: 'feed-view__top' }, h('h1', { class: 'feed-view__heading', text: 'For You' })),
    body);
  const view = { el, focusTarget: el, destroy: () => feed?.destroy() };
  let feed = null;
  let nextTime = 0;
  let destroyed = false;

  async function loadPage() {
    const page = await api.feed(nextTime);
    const progressed = page.nextTime > 0 && (nextTime === 0 || page.nextTime < nextTime);
    nextTime = page.nextTime;
    return { videos: page.videos, done: page.videos.length === 0 || !progressed };
  }

  async function start() {
    feed?.destroy();
    feed = null;
    nextTime = 0;
    body.replaceChildren(loadingBlock('Loading videos…'));
    try {
      const first = await loadPage();
      if (destroyed) return;
      if (first.videos.length === 0) {
        body.replaceChildren(emptyState({
          title: 'No videos yet',
          text: 'Be the first to post something.',
          action: { label: 'Upload a video', href: '#/publish' },
        }));
        return;
      }
      feed = createVideoFeed({
        videos: first.videos,
        loadMore: first.done ? null : loadPage,
        label: 'Videos',
        onEnd: { label: 'Watch from the top', onClick: start },
      });
      body.replaceChildren(feed.el);
      feed.focusTarget.focus({ preventScroll: true });
    } catch (error) {
      if (!destroyed) body.replaceChildren(errorState(error, start));
    }
  }

  view.destroy = () => { destroyed = true; feed?.destroy(); };
  start();
  return view;
}
