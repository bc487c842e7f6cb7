// Inbox: your friends with the latest message of each conversation.
// Refreshes every few seconds while open.

import { h } from '../lib/dom.js';
import { api } from '../api/douyin.js';
import { pollDelayAfter } from '../api/http.js';
import { session } from '../state/session.js';
import { pageHeader } from '../components/page-header.js';
import { userList } from '../components/user-list.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';

const REFRESH_MS = 5000;
const SENT_BY_ME = 1;

function preview(friend) {
  if (!friend.message) return 'Say hi 👋';
  const type = friend.msg_type ?? friend.msgType;
  return Number(type) === SENT_BY_ME ? `You: ${friend.message}` : friend.message;
}

export function inboxView() {
  let destroyed = false;
  let timer = 0;
  let loaded = false;

  const header = pageHeader({ title: 'Inbox' });
  const body = h('div', { class: 'inbox__body' }, loadingBlock('Loading conversations…'));
  const el = h('section', { class: 'view page inbox-view' }, header.el, h('div', { class: 'page__content' }, body));

  async function load() {
    clearTimeout(timer);
    let delay = REFRESH_MS;
    try {
      const friends = await api.friendList(session.userId);
      if (destroyed) return;
      loaded = true;
      if (friends.length === 0) {
        body.replaceChildren(emptyState({
          iconName: 'inbox',
          title: 'No conversations yet',
          text: 'Friends are people you follow who follow you back. You can also message anyone from their profile.',
          action: { label: 'Find people in the feed', href: '#/feed' },
        }));
      } else {
        const sorted = [...friends].sort((a, b) => Number(Boolean(b.message)) - Number(Boolean(a.message)));
        body.replaceChildren(userList(sorted, {
          label: 'Conversations',
          href: (friend) => `/chat/${friend.id}`,
          secondary: preview,
          trailing: () => null,
        }));
      }
    } catch (error) {
      if (!destroyed && !loaded) body.replaceChildren(errorState(error, load));
      // Over the read rate limit: refresh when the server said it would work, not sooner.
      delay = pollDelayAfter(error, REFRESH_MS);
    }
    if (!destroyed) timer = setTimeout(load, delay);
  }

  load();
  return { el, focusTarget: header.heading, destroy() { destroyed = true; clearTimeout(timer); } };
}
