// One full-height video in a vertical feed: the player, caption, progress bar
// and the action rail (author, like, comments, sound).
//
// Tap the video: pause/play. Double-tap: like. "Tap to unmute" pill: sound on.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { formatCount, plural } from '../lib/format.js';
import { session } from '../state/session.js';
import { on } from '../state/events.js';
import { playback } from '../state/playback.js';
import { toggleLike } from '../actions/like.js';
import { setFollowing } from '../actions/follow.js';
import { avatar } from './avatar.js';
import { openComments } from './comments-panel.js';

const DOUBLE_TAP_MS = 280;

export function createVideoSlide(video) {
  const author = video.author ?? { id: 0, name: 'unknown' };
  let userPaused = false;
  let active = false;
  let tapTimer = 0;
  let lastTapAt = 0;

  // --- player -------------------------------------------------------------
  const player = h('video', {
    class: 'slide__video',
    playsInline: true,
    loop: true,
    muted: true,
    defaultMuted: true,
    preload: 'none',
    poster: video.cover_url || null,
    'aria-hidden': 'true',
    disablepictureinpicture: true,
    disableremoteplayback: true,
  });
  // A blurred copy of the cover fills the letterbox around non-9:16 videos.
  const backdrop = video.cover_url
    ? h('img', { class: 'slide__backdrop', src: video.cover_url, alt: '', loading: 'lazy', decoding: 'async' }) : null;
  backdrop?.addEventListener('error', () => backdrop.remove(), { once: true });
  const surface = h('button', { type: 'button', class: 'slide__surface' });
  const pausedBadge = h('span', { class: 'slide__paused', 'aria-hidden': 'true' }, icon('play'));
  const heartBurst = h('span', { class: 'slide__burst', 'aria-hidden': 'true' }, icon('heart'));
  const buffering = h('span', { class: 'slide__buffering', 'aria-hidden': 'true' });
  const failure = h('p', { class: 'slide__failure', hidden: true }, icon('alert'), h('span', { text: 'This video cannot be played.' }));
  const unmutePill = h('button', { type: 'button', class: 'slide__unmute' }, icon('muted'), h('span', { text: 'Tap to unmute' }));
  const progressBar = h('span', { class: 'slide__progress-bar' });
  const progress = h('span', { class: 'slide__progress', 'aria-hidden': 'true' }, progressBar);

  // --- caption and actions -----------------------------------------------
  const caption = h('div', { class: 'slide__caption' },
    h('a', { class: 'slide__author', href: `#/user/${author.id}` }, `@${author.name}`),
    h('p', { class: 'slide__title', text: video.title || '' }));

  const followPlus = h('button', {
    type: 'button', class: 'slide__follow', 'aria-label': `Follow ${author.name}`,
  }, icon('plus'));
  const likeCount = h('span', { class: 'action__count' });
  const likeButton = h('button', { type: 'button', class: 'action action--like' },
    h('span', { class: 'action__bubble' }, icon('heart')), likeCount);
  const commentCount = h('span', { class: 'action__count' });
  const commentButton = h('button', { type: 'button', class: 'action action--comment', 'aria-haspopup': 'dialog' },
    h('span', { class: 'action__bubble' }, icon('comment')), commentCount);
  const soundIcon = h('span', { class: 'action__bubble' });
  const soundButton = h('button', { type: 'button', class: 'action action--sound' }, soundIcon);

  const actions = h('div', { class: 'slide__actions' },
    h('div', { class: 'action action--author' },
      h('a', { class: 'slide__avatar-link', href: `#/user/${author.id}`, 'aria-label': `${author.name}'s profile` }, avatar(author, 'md')),
      followPlus),
    likeButton,
    commentButton,
    soundButton);

  const el = h('article', {
    class: 'slide',
    dataset: { videoId: video.id },
    'aria-roledescription': 'video',
    'aria-label': `${video.title || 'Untitled'} by ${author.name}`,
  },
  h('div', { class: 'slide__stage' }, backdrop, player, surface, buffering, pausedBadge, heartBurst, failure, unmutePill, caption, progress),
  actions);
  // Only the active slide is interactive, so Tab does not wander through
  // every video of the feed.
  el.inert = true;

  // --- rendering ----------------------------------------------------------
  function renderCounts() {
    likeCount.textContent = formatCount(video.favorite_count);
    likeButton.classList.toggle('is-active', Boolean(video.is_favorite));
    likeButton.setAttribute('aria-pressed', String(Boolean(video.is_favorite)));
    // The name stays "Like" in both states (aria-pressed says whether it is liked);
    // only the count's noun follows the number: "Like, 1 like", "Like, 2 likes".
    likeButton.setAttribute('aria-label', `Like, ${plural(video.favorite_count, 'like')}`);
    commentCount.textContent = formatCount(video.comment_count);
    commentButton.setAttribute('aria-label', `Comments, ${formatCount(video.comment_count)}`);
  }

  function renderFollow() {
    const hide = session.isMe(author.id) || Boolean(author.is_follow);
    followPlus.hidden = hide;
  }

  function renderSound() {
    const muted = playback.muted;
    player.muted = muted;
    unmutePill.hidden = !muted;
    soundIcon.replaceChildren(icon(muted ? 'muted' : 'sound'));
    soundButton.setAttribute('aria-label', muted ? 'Unmute' : 'Mute');
    soundButton.setAttribute('aria-pressed', String(!muted));
  }

  function renderPaused() {
    const paused = player.paused;
    el.classList.toggle('is-paused', paused && userPaused);
    surface.setAttribute('aria-label', paused ? `Play ${video.title || 'video'}` : `Pause ${video.title || 'video'}`);
  }

  // --- playback -----------------------------------------------------------
  function ensureSource(preload) {
    if (!player.getAttribute('src') && video.play_url) player.src = video.play_url;
    if (preload && player.preload !== preload) player.preload = preload;
  }

  function start() {
    ensureSource('auto');
    player.muted = playback.muted;
    const attempt = player.play();
    if (!attempt) return;
    attempt.catch((error) => {
      if (error?.name === 'NotAllowedError' && !player.muted) {
        // Sound without a user gesture was refused: fall back to muted autoplay.
        playback.setMuted(true);
        if (active && !userPaused) player.play().catch(() => {});
      }
      // AbortError: a pause or source change interrupted play(); nothing to do.
    });
  }

  function togglePlay() {
    if (player.paused) { userPaused = false; start(); } else { userPaused = true; player.pause(); }
    renderPaused();
  }

  function like({ onlyLike = false } = {}) {
    if (onlyLike && video.is_favorite) return;
    toggleLike(video, renderCounts);
  }

  function burst() {
    heartBurst.classList.remove('is-bursting');
    void heartBurst.offsetWidth; // restart the CSS animation
    heartBurst.classList.add('is-bursting');
  }

  function onSurfaceClick(event) {
    // Keyboard activation (detail 0) toggles at once; pointer taps wait to see
    // whether a second tap (double-tap to like) follows.
    if (event.detail === 0) { togglePlay(); return; }
    const now = performance.now();
    if (now - lastTapAt < DOUBLE_TAP_MS) {
      clearTimeout(tapTimer);
      lastTapAt = 0;
      burst();
      like({ onlyLike: true });
      return;
    }
    lastTapAt = now;
    clearTimeout(tapTimer);
    tapTimer = setTimeout(togglePlay, DOUBLE_TAP_MS);
  }

  function showComments() {
    openComments(video, { onCountChange: renderCounts });
  }

  // --- wiring -------------------------------------------------------------
  surface.addEventListener('click', onSurfaceClick);
  unmutePill.addEventListener('click', () => { playback.setMuted(false); if (active && player.paused && !userPaused) start(); });
  soundButton.addEventListener('click', () => playback.setMuted(!playback.muted));
  likeButton.addEventListener('click', () => like());
  commentButton.addEventListener('click', showComments);
  followPlus.addEventListener('click', async () => {
    if (await setFollowing(author, true)) renderFollow();
  });

  player.addEventListener('play', renderPaused);
  player.addEventListener('pause', renderPaused);
  player.addEventListener('waiting', () => el.classList.add('is-buffering'));
  player.addEventListener('playing', () => { el.classList.remove('is-buffering'); failure.hidden = true; });
  player.addEventListener('canplay', () => el.classList.remove('is-buffering'));
  player.addEventListener('error', () => {
    if (!player.getAttribute('src')) return;
    el.classList.remove('is-buffering');
    failure.hidden = false;
  });
  player.addEventListener('timeupdate', () => {
    const fraction = player.duration ? player.currentTime / player.duration : 0;
    progressBar.style.transform = `scaleX(${Math.min(1, Math.max(0, fraction))})`;
  });

  const unsubscribers = [
    playback.onChange(renderSound),
    on('follow-changed', ({ userId, isFollow }) => {
      if (Number(userId) !== Number(author.id)) return;
      author.is_follow = isFollow;
      renderFollow();
    }),
    on('video-changed', ({ video: changed }) => {
      if (changed === video || Number(changed.id) !== Number(video.id)) return;
      Object.assign(video, {
        favorite_count: changed.favorite_count, is_favorite: changed.is_favorite, comment_count: changed.comment_count,
      });
      renderCounts();
    }),
  ];

  renderCounts();
  renderFollow();
  renderSound();
  renderPaused();

  return {
    el,
    video,
    player,
    /** Become the visible video: play unless the user paused it. */
    activate() {
      active = true;
      el.inert = false;
      el.classList.add('is-active');
      if (!userPaused) start();
      renderPaused();
    },
    deactivate() {
      active = false;
      el.inert = true;
      el.classList.remove('is-active');
      clearTimeout(tapTimer);
      userPaused = false;
      if (!player.paused) player.pause();
      renderPaused();
    },
    /** Load ahead or release media by distance from the active slide. */
    prepare(distance) {
      if (distance <= 1) ensureSource('auto');
      else if (distance <= 2) ensureSource('metadata');
      else if (distance > 6 && player.getAttribute('src')) {
        player.pause();
        player.removeAttribute('src');
        player.preload = 'none';
        player.load();
      }
    },
    togglePlay,
    like: () => like(),
    showComments,
    toggleMute: () => playback.setMuted(!playback.muted),
    destroy() {
      clearTimeout(tapTimer);
      unsubscribers.forEach((off) => off());
      player.pause();
      player.removeAttribute('src');
      player.load();
    },
  };
}
