// A user's page: banner, avatar, counts, follow/message (or, on your own page,
// upload/log out), and a grid of their videos or the videos they liked. Your
// own grid shows each video's processing state and refreshes while any is
// still processing.

import { h, replaceChildren } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { formatCount } from '../lib/format.js';
import { api } from '../api/douyin.js';
import { ErrorCode } from '../api/http.js';
import { session } from '../state/session.js';
import { avatar } from '../components/avatar.js';
import { followButton } from '../components/follow-button.js';
import { videoGrid, videoState } from '../components/video-grid.js';
import { pageHeader } from '../components/page-header.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';

const PROCESSING_POLL_MS = 3000;

/** tab: 'videos' | 'likes'. */
export function profileView({ params }, tab = 'videos', { onSignOut } = {}) {
  const userId = Number(params.id);
  const isMe = session.isMe(userId);
  let destroyed = false;
  let pollTimer = 0;

  const signOutButton = isMe
    ? h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Log out', title: 'Log out', onClick: onSignOut }, icon('logout'))
    : null;
  const header = pageHeader({ title: isMe ? 'Your profile' : 'Profile', back: '/feed', trailing: signOutButton });
  const top = h('div', { class: 'profile__top' }, loadingBlock('Loading profile…'));
  const gridBox = h('div', { class: 'profile__grid' });
  const el = h('section', { class: 'view page profile-view' }, header.el, h('div', { class: 'page__content profile' }, top, gridBox));

  function stat(value, label, href) {
    const content = [h('strong', { class: 'stat__value', text: formatCount(value) }), h('span', { class: 'stat__label', text: label })];
    return href ? h('a', { class: 'stat', href }, content) : h('div', { class: 'stat' }, content);
  }

  function renderTop(user) {
    const banner = h('div', { class: 'profile__banner' });
    if (user.background_image) {
      const img = h('img', { class: 'profile__banner-img', src: user.background_image, alt: '' });
      img.addEventListener('error', () => img.remove(), { once: true });
      banner.append(img);
    }
    const stats = h('div', { class: 'profile__stats' });
    const renderStats = () => stats.replaceChildren(
      stat(user.follow_count, 'Following', `#/user/${user.id}/following`),
      stat(user.follower_count, user.follower_count === 1 ? 'Follower' : 'Followers', `#/user/${user.id}/followers`),
      stat(user.total_favorited, Number(user.total_favorited) === 1 ? 'Like' : 'Likes'));
    renderStats();

    const actions = isMe
      ? h('div', { class: 'profile__actions' },
        h('a', { class: 'button button--primary', href: '#/publish' }, icon('upload'), 'Upload'),
        h('a', { class: 'button button--muted', href: '#/friends' }, icon('friends'), 'Friends'))
      : h('div', { class: 'profile__actions' },
        followButton(user, { size: 'lg', onChange: renderStats }),
        h('a', { class: 'button button--muted button--lg', href: `#/chat/${user.id}` }, icon('inbox'), 'Message'));

    header.heading.textContent = user.name;
    replaceChildren(top,
      banner,
      h('div', { class: 'profile__identity' },
        avatar(user, 'xl'),
        h('div', { class: 'profile__names' },
          h('h2', { class: 'profile__name', text: user.name }),
          h('p', { class: 'profile__handle', text: `@${user.name} · ID ${user.id}` }))),
      user.signature ? h('p', { class: 'profile__signature', text: user.signature }) : null,
      stats,
      actions,
      h('nav', { class: 'tabs', 'aria-label': 'Profile sections' },
        tabLink('videos', `Videos ${formatCount(user.work_count)}`, `#/user/${user.id}`, 'videos'),
        tabLink('likes', `Liked ${formatCount(user.favorite_count)}`, `#/user/${user.id}/likes`, 'heart')));
  }

  function tabLink(key, label, href, iconName) {
    return h('a', { class: 'tabs__tab', href, 'aria-current': tab === key ? 'page' : null }, icon(iconName), h('span', { text: label }));
  }

  async function loadGrid() {
    clearTimeout(pollTimer);
    try {
      const videos = tab === 'likes' ? await api.favoriteList(userId) : await api.publishList(userId);
      if (destroyed) return;
      if (videos.length === 0) {
        gridBox.replaceChildren(emptyState(tab === 'likes'
          ? { iconName: 'heart', title: 'No liked videos yet', text: isMe ? 'Videos you like appear here.' : null }
          : { title: 'No videos yet', text: isMe ? 'Your uploads appear here.' : null, action: isMe ? { label: 'Upload a video', href: '#/publish' } : null }));
        return;
      }
      const showState = isMe && tab === 'videos';
      gridBox.replaceChildren(videoGrid(videos, {
        showState,
        label: tab === 'likes' ? 'Liked videos' : 'Videos',
        hrefFor: (video) => `/user/${userId}/${tab === 'likes' ? 'likes' : 'videos'}/${video.id}`,
      }));
      if (showState && videos.some((v) => videoState(v) === 'processing')) {
        pollTimer = setTimeout(loadGrid, PROCESSING_POLL_MS);
      }
    } catch (error) {
      if (!destroyed) gridBox.replaceChildren(errorState(error, loadGrid));
    }
  }

  async function load() {
    try {
      const user = await api.user(userId);
      if (destroyed) return;
      renderTop(user);
      gridBox.replaceChildren(loadingBlock('Loading videos…'));
      loadGrid();
    } catch (error) {
      if (destroyed) return;
      top.replaceChildren(error.code === ErrorCode.NOT_FOUND
        ? emptyState({ iconName: 'person', title: 'User not found', text: 'This account does not exist.', action: { label: 'Back to the feed', href: '#/feed' } })
        : errorState(error, load));
    }
  }

  if (!Number.isInteger(userId) || userId <= 0) {
    top.replaceChildren(emptyState({ iconName: 'person', title: 'User not found', action: { label: 'Back to the feed', href: '#/feed' } }));
  } else {
    load();
  }

  return {
    el,
    focusTarget: header.heading,
    destroy() { destroyed = true; clearTimeout(pollTimer); },
  };
}
