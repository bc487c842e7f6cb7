// Following / followers of any user, and your friends (mutual follows).

import { h } from '../lib/dom.js';
import { api } from '../api/douyin.js';
import { session } from '../state/session.js';
import { pageHeader } from '../components/page-header.js';
import { userList } from '../components/user-list.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';

const EMPTY_TEXT = {
  following: ['Not following anyone yet', 'Accounts followed appear here.'],
  followers: ['No followers yet', 'People who follow appear here.'],
  friends: ['No friends yet', 'When you and someone follow each other, you become friends and can chat.'],
};

/** kind: 'following' | 'followers' | 'friends' (friends: always your own). */
export function relationsView({ params }, kind) {
  const userId = kind === 'friends' ? session.userId : Number(params.id);
  const isMe = session.isMe(userId);
  let destroyed = false;

  const header = pageHeader({ title: kind === 'friends' ? 'Friends' : 'People', back: isMe ? '/me' : `/user/${userId}` });
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Lists' },
    tab('following', 'Following', `#/user/${userId}/following`),
    tab('followers', 'Followers', `#/user/${userId}/followers`),
    isMe ? tab('friends', 'Friends', '#/friends') : null);
  const body = h('div', { class: 'relations__body' }, loadingBlock());
  const el = h('section', { class: 'view page relations-view' }, header.el, h('div', { class: 'page__content' }, tabs, body));

  function tab(key, label, href) {
    return h('a', { class: 'tabs__tab', href, 'aria-current': key === kind ? 'page' : null, text: label });
  }

  async function load() {
    try {
      const [users, owner] = await Promise.all([
        kind === 'following' ? api.followList(userId) : kind === 'followers' ? api.followerList(userId) : api.friendList(userId),
        isMe ? Promise.resolve(null) : api.user(userId).catch(() => null),
      ]);
      if (destroyed) return;
      if (owner) header.heading.textContent = owner.name;
      if (users.length === 0) {
        const [title, text] = EMPTY_TEXT[kind];
        body.replaceChildren(emptyState({ iconName: 'friends', title, text }));
        return;
      }
      body.replaceChildren(userList(users, {
        label: kind === 'friends' ? 'Friends' : kind === 'following' ? 'Following' : 'Followers',
        trailing: kind === 'friends'
          ? (user) => h('a', { class: 'button button--muted button--sm', href: `#/chat/${user.id}`, 'aria-label': `Message ${user.name}`, text: 'Message' })
          : undefined,
      }));
    } catch (error) {
      if (!destroyed) body.replaceChildren(errorState(error, load));
    }
  }

  load();
  return { el, focusTarget: header.heading, destroy() { destroyed = true; } };
}
