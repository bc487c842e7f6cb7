// The inbox's conversations: who, the last message on one line (prefixed
// "You: " when the viewer sent it) and how long ago. Each row opens the chat.

import { h } from '../lib/dom.js';
import { formatRelativeTime, describeRelativeTime } from '../lib/format.js';
import { session } from '../state/session.js';
import { avatar } from './avatar.js';

// Messages run to 1000 characters; a row shows one line, and a screen reader
// should not have to hear a whole letter to pick a conversation.
const PREVIEW_CHARS = 140;

/** The last message as one line of at most PREVIEW_CHARS code points, "You: …" when mine. */
export function conversationPreview(message) {
  const oneLine = String(message?.content ?? '').replace(/\s+/g, ' ').trim();
  const codePoints = Array.from(oneLine);
  const text = codePoints.length > PREVIEW_CHARS ? `${codePoints.slice(0, PREVIEW_CHARS - 1).join('')}…` : oneLine;
  return session.isMe(message?.from_user_id) ? `You: ${text}` : text;
}

function conversationItem({ user, last_message: message }, now) {
  const name = user?.name ?? 'Someone';
  const preview = conversationPreview(message);
  const sentAt = new Date(Number(message?.create_time));
  const hasTime = !Number.isNaN(sentAt.getTime());
  return h('li', { class: 'conversation', dataset: { userId: user?.id } },
    // The row's parts are separate spans, which a screen reader would run
    // together ("bobYou: hi5m"): the link says it in words instead.
    h('a', {
      class: 'conversation__link',
      href: `#/chat/${user?.id}`,
      'aria-label': [name, preview, hasTime ? describeRelativeTime(sentAt, now) : ''].filter(Boolean).join(', '),
    },
    avatar(user, 'md'),
    h('span', { class: 'conversation__text' },
      h('span', { class: 'conversation__top' },
        h('span', { class: 'conversation__name', text: name }),
        hasTime ? h('time', {
          class: 'conversation__time',
          datetime: sentAt.toISOString(),
          title: sentAt.toLocaleString('en-US'),
          text: formatRelativeTime(sentAt, now),
        }) : null),
      h('span', { class: 'conversation__preview', text: preview }))));
}

/** conversations: [{ user, last_message }] in the order to show them. */
export function conversationList(conversations, { label = 'Conversations', now = new Date() } = {}) {
  return h('ul', { class: 'conversation-list', 'aria-label': label },
    conversations.map((conversation) => conversationItem(conversation, now)));
}
