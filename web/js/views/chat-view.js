// Chat with one user. New messages appear without reloading: the view polls
// /douyin/message/chat/ every ~2 s with pre_msg_time = the newest create_time
// it holds, and de-duplicates by message id.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { codePointLength, formatMessageTime } from '../lib/format.js';
import { api } from '../api/douyin.js';
import { ErrorCode, pollDelayAfter } from '../api/http.js';
import { session } from '../state/session.js';
import { goBack } from '../navigation.js';
import { avatar } from '../components/avatar.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';
import { toast, toastError } from '../components/toast.js';
import { rateLimitNotice } from '../components/retry-hint.js';

const POLL_MS = 2000;
const MAX_MESSAGE_CHARS = 1000;
const TIME_GAP_MS = 5 * 60 * 1000;

export function chatView({ params }) {
  const peerId = Number(params.id);
  const messages = new Map(); // id -> Message
  const pending = []; // { content, el } sent but not yet seen in a poll
  let newestTime = 0;
  let pollTimer = 0;
  let polling = false;
  let destroyed = false;

  const peerLink = h('a', { class: 'chat__peer', href: `#/user/${peerId}` }, avatar(null, 'sm'), h('span', { class: 'chat__peer-name', text: 'Chat' }));
  const heading = h('h1', { class: 'chat__heading', tabindex: '-1' }, peerLink);
  const list = h('ol', { class: 'chat__messages', 'aria-label': 'Messages', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const scroller = h('div', { class: 'chat__scroller' }, loadingBlock('Loading messages…'));
  const input = h('input', {
    class: 'composer__input', type: 'text', name: 'message', autocomplete: 'off', placeholder: 'Send a message…',
    'aria-label': 'Message', maxlength: String(MAX_MESSAGE_CHARS * 2), enterkeyhint: 'send',
  });
  const send = h('button', { type: 'submit', class: 'icon-button icon-button--accent', 'aria-label': 'Send message' }, icon('send'));
  // Over the message rate limit, Send stays disabled until the server's wait is
  // over; typing goes on, and the refused message is put back in the input.
  const limit = rateLimitNotice({ controls: [send] });
  const form = h('form', { class: 'composer chat__composer' }, input, send);
  const el = h('section', { class: 'view chat-view' },
    h('header', { class: 'page-header chat__header' },
      h('button', { type: 'button', class: 'icon-button page-header__back', 'aria-label': 'Back', onClick: () => goBack('/inbox') }, icon('back')),
      heading),
    scroller,
    h('div', { class: 'composer-area' }, limit.el, form));

  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function bubble(message) {
    const mine = session.isMe(message.from_user_id);
    return h('li', { class: ['message', mine ? 'message--mine' : 'message--theirs'], dataset: { messageId: message.id } },
      h('p', { class: 'message__bubble', text: message.content }),
      h('time', { class: 'message__time', datetime: new Date(Number(message.create_time)).toISOString(), text: formatMessageTime(message.create_time) }));
  }

  function render() {
    const sorted = [...messages.values()].sort((a, b) => (a.create_time - b.create_time) || (a.id - b.id));
    const items = [];
    let previous = 0;
    for (const message of sorted) {
      if (message.create_time - previous > TIME_GAP_MS) {
        items.push(h('li', { class: 'chat__divider', 'aria-hidden': 'true', text: formatMessageTime(message.create_time) }));
      }
      previous = message.create_time;
      items.push(bubble(message));
    }
    items.push(...pending.map((p) => p.el));
    if (items.length === 0) {
      scroller.replaceChildren(emptyState({ iconName: 'inbox', title: 'No messages yet', text: 'Say hello!' }));
      return;
    }
    list.replaceChildren(...items);
    if (list.parentNode !== scroller) scroller.replaceChildren(list);
  }

  /** Merge messages by id; true when something new arrived. */
  function merge(incoming) {
    let added = false;
    for (const message of incoming) {
      if (messages.has(message.id)) continue;
      messages.set(message.id, message);
      newestTime = Math.max(newestTime, Number(message.create_time) || 0);
      added = true;
      if (session.isMe(message.from_user_id)) {
        const index = pending.findIndex((p) => p.content === message.content);
        if (index !== -1) pending.splice(index, 1);
      }
    }
    return added;
  }

  async function poll() {
    clearTimeout(pollTimer);
    if (destroyed || polling) return;
    polling = true;
    let delay = POLL_MS;
    try {
      const stick = isNearBottom();
      const incoming = await api.chat(peerId, newestTime);
      if (destroyed) return;
      if (merge(incoming)) {
        render();
        if (stick) scrollToBottom();
      }
    } catch (error) {
      // A failed poll is retried on the next tick (later if the server asked us to
      // wait: polling sooner would only be refused); only a lost session stops it.
      if (error.code === ErrorCode.UNAUTHENTICATED) return;
      delay = pollDelayAfter(error, POLL_MS);
    } finally {
      polling = false;
    }
    if (!destroyed) pollTimer = setTimeout(poll, delay);
  }

  async function start() {
    if (session.isMe(peerId)) {
      scroller.replaceChildren(emptyState({ iconName: 'inbox', title: 'This is you', text: 'You cannot message yourself.' }));
      form.hidden = true;
      return;
    }
    api.user(peerId).then((peer) => {
      if (destroyed || !peer) return;
      peerLink.replaceChildren(avatar(peer, 'sm'), h('span', { class: 'chat__peer-name', text: peer.name }));
      document.title = `${peer.name} · minitok`;
    }).catch(() => {});
    try {
      merge(await api.chat(peerId));
      if (destroyed) return;
      render();
      scrollToBottom();
      pollTimer = setTimeout(poll, POLL_MS);
    } catch (error) {
      if (!destroyed) scroller.replaceChildren(errorState(error, start));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content || limit.waiting) return;
    if (codePointLength(content) > MAX_MESSAGE_CHARS) {
      toast(`Messages can be at most ${MAX_MESSAGE_CHARS} characters.`, 'error');
      return;
    }
    input.value = '';
    const entry = {
      content,
      el: h('li', { class: 'message message--mine is-pending' },
        h('p', { class: 'message__bubble', text: content }), h('span', { class: 'message__time', text: 'Sending…' })),
    };
    pending.push(entry);
    render();
    scrollToBottom();
    try {
      await api.sendMessage(peerId, content);
      poll();
    } catch (error) {
      pending.splice(pending.indexOf(entry), 1);
      render();
      input.value = input.value || content;
      if (!limit.show(error)) toastError(error, 'Could not send the message.');
    }
    input.focus();
  });

  start();
  return {
    el,
    focusTarget: input,
    destroy() { destroyed = true; clearTimeout(pollTimer); document.title = 'minitok'; },
  };
}
