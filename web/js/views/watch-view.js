// The player opened from a profile grid: the user's videos (or liked videos)
// as a vertical feed starting at the chosen one. Escape or × goes back.

import { h, isTypingTarget } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { api } from '../api/douyin.js';
import { session } from '../state/session.js';
import { goBack } from '../navigation.js';
import { createVideoFeed } from '../components/video-feed.js';
import { videoState } from '../components/video-grid.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';

/** source: 'videos' | 'likes'. */
export function watchView({ params }, source) {
  const userId = Number(params.id);
  const startVideoId = Number(params.videoId);
  const profilePath = `/user/${userId}${source === 'likes' ? '/likes' : ''}`;
  let feed = null;
  let destroyed = false;

  const close = () => goBack(profilePath);
  const closeButton = h('button', { type: 'button', class: 'icon-button watch-view__close', 'aria-label': 'Close player' }, icon('close'));
  const body = h('div', { class: 'watch-view__body' }, loadingBlock('Loading video…'));
  const el = h('section', { class: 'view watch-view', tabindex: '-1', 'aria-label': source === 'likes' ? 'Liked videos' : 'Videos' }, closeButton, body);

  function onKeyDown(event) {
    if (event.key !== 'Escape' || event.defaultPrevented || isTypingTarget(event.target)) return;
    if (document.querySelector('dialog[open]')) return; // Escape closes the dialog first
    close();
  }

  async function load() {
    try {
      let videos = source === 'likes' ? await api.favoriteList(userId) : await api.publishList(userId);
      if (destroyed) return;
      // Only playable videos belong in the player.
      if (session.isMe(userId)) videos = videos.filter((v) => videoState(v) === 'ready');
      if (videos.length === 0) {
        body.replaceChildren(emptyState({ title: 'Nothing to play', text: 'This video is not available.', action: { label: 'Back', onClick: close } }));
        return;
      }
      feed = createVideoFeed({ videos, startVideoId, label: source === 'likes' ? 'Liked videos' : 'Videos' });
      body.replaceChildren(feed.el);
      feed.focusTarget.focus({ preventScroll: true });
    } catch (error) {
      if (!destroyed) body.replaceChildren(errorState(error, load));
    }
  }

  closeButton.addEventListener('click', close);
  document.addEventListener('keydown', onKeyDown);
  load();
  return {
    el,
    focusTarget: el,
    destroy() {
      destroyed = true;
      document.removeEventListener('keydown', onKeyDown);
      feed?.destroy();
    },
  };
}
