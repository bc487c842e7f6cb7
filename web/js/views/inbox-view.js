// Inbox: every conversation of the signed-in user, newest last message first,
// friend or not (/douyin/message/conversations/), then the friends not yet
// messaged, so that a new chat with a friend is one tap away. Older
// conversations come a page at a time; the view refreshes every few seconds
// while open.

import { h } from '../lib/dom.js';
import { api } from '../api/douyin.js';
import { ErrorCode, pollDelayAfter } from '../api/http.js';
import { session } from '../state/session.js';
import { pageHeader } from '../components/page-header.js';
import { userList } from '../components/user-list.js';
import { conversationList } from '../components/conversation-list.js';
import { loadingBlock, emptyState, errorState } from '../components/states.js';
import { toastError } from '../components/toast.js';
import { retryHint, rateLimitNotice } from '../components/retry-hint.js';
import { formatRelativeTime } from '../lib/format.js';

const REFRESH_MS = 5000;
const PAGE_SIZE = 20;

/** Newest last message first; the message id breaks a tie within one millisecond. */
function newestFirst(a, b) {
  return (Number(b.last_message?.create_time) - Number(a.last_message?.create_time))
    || (Number(b.last_message?.id) - Number(a.last_message?.id));
}

/** True when `candidate` holds a later last message than `held` (or the same one). */
function isSameOrNewer(candidate, held) {
  return newestFirst(candidate, held) <= 0;
}

export function inboxView() {
  const conversations = new Map(); // peer id -> { user, last_message }
  let friends = [];
  let hasOlder = false; // the server may hold conversations older than those shown
  let loaded = false;
  let refreshing = false;
  let loadingOlder = false;
  let destroyed = false;
  let timer = 0;
  let renderedKey = '';

  const header = pageHeader({ title: 'Inbox' });
  const body = h('div', { class: 'inbox__body' }, loadingBlock('Loading conversations…'));
  const el = h('section', { class: 'view page inbox-view' }, header.el, h('div', { class: 'page__content' }, body));

  // Kept across renders, so keyboard focus on the button survives a refresh.
  const olderButton = h('button', { type: 'button', class: 'button button--ghost button--block inbox__older', text: 'Show older conversations' });
  // Over the read rate limit the button waits for the server's Retry-After.
  const olderLimit = rateLimitNotice({ controls: [olderButton] });
  const olderArea = h('div', { class: 'inbox__more' }, olderLimit.el, olderButton);

  /** Keep the newest copy of each conversation (a slow older page must not undo a refresh). */
  function merge(page) {
    for (const conversation of page) {
      const peerId = Number(conversation?.user?.id);
      if (!(peerId > 0) || !conversation.last_message) continue;
      const held = conversations.get(peerId);
      if (!held || isSameOrNewer(conversation, held)) conversations.set(peerId, conversation);
    }
  }

  /** Friends with no message yet. A friend who has one is a conversation (maybe on an older page): never listed twice. */
  function friendsToGreet() {
    return friends.filter((friend) => !conversations.has(Number(friend.id)) && !friend.message);
  }

  function section(titleText, id, ...content) {
    return h('section', { class: 'inbox__section', 'aria-labelledby': id },
      h('h2', { class: 'inbox__heading', id, text: titleText }), content);
  }

  function render() {
    const now = new Date();
    const shown = [...conversations.values()].sort(newestFirst);
    const greet = friendsToGreet();
    // A refresh that changes nothing visible leaves the DOM alone, so a screen
    // reader's place in the list is not lost every few seconds.
    const key = JSON.stringify([
      shown.map((c) => [c.user.id, c.user.name, c.user.avatar, c.last_message.id, formatRelativeTime(c.last_message.create_time, now)]),
      greet.map((f) => [f.id, f.name, f.avatar]),
      hasOlder,
    ]);
    if (key === renderedKey) return;
    renderedKey = key;

    // Re-rendering replaces the rows and moves the button: put keyboard focus
    // back on the same person's row, or on the button.
    const focused = body.contains(document.activeElement) ? document.activeElement : null;
    const focusedRow = focused?.closest('[data-user-id]') ?? null;
    const focusedList = focusedRow?.closest('.conversation-list') ? 'conversation-list' : 'user-list';

    if (shown.length === 0 && greet.length === 0) {
      body.replaceChildren(emptyState({
        iconName: 'inbox',
        title: 'No conversations yet',
        text: 'Messages you send or receive appear here. Message anyone from their profile; friends (people who follow you back) are listed here too.',
        action: { label: 'Find people in the feed', href: '#/feed' },
      }));
      return;
    }
    olderArea.hidden = !hasOlder;
    body.replaceChildren(
      shown.length ? section('Messages', 'inbox-messages', conversationList(shown, { now }), olderArea) : null,
      greet.length ? section('Friends', 'inbox-friends',
        h('p', { class: 'inbox__hint', text: 'Start a conversation with a friend.' }),
        userList(greet, {
          label: 'Friends to message',
          href: (friend) => `/chat/${friend.id}`,
          secondary: () => 'Say hi 👋',
          trailing: () => null,
        })) : null);
    if (focusedRow) {
      body.querySelector(`.${focusedList} [data-user-id="${focusedRow.dataset.userId}"] a`)?.focus({ preventScroll: true });
    } else if (focused === olderButton && olderButton.isConnected && !olderArea.hidden) {
      olderButton.focus({ preventScroll: true });
    }
  }

  function showLoadError(error) {
    const state = errorState(error, () => {
      body.replaceChildren(loadingBlock('Loading conversations…'));
      refresh();
    });
    // Rate limited: "Try again" waits as long as the server said (the automatic
    // refresh waits as long too).
    const wait = retryHint({ controls: [...state.querySelectorAll('button')] });
    if (wait.start(error)) state.append(wait.el);
    body.replaceChildren(state);
  }

  /** The newest page and the friend list; the first call also decides whether there are older ones. */
  async function refresh() {
    clearTimeout(timer);
    if (destroyed || refreshing) return;
    refreshing = true;
    let delay = REFRESH_MS;
    try {
      const [newest, friendList] = await Promise.all([
        api.conversations({ limit: PAGE_SIZE }),
        api.friendList(session.userId),
      ]);
      if (destroyed) return;
      merge(newest);
      friends = friendList;
      if (!loaded) hasOlder = newest.length === PAGE_SIZE;
      loaded = true;
      render();
    } catch (error) {
      // A lost session signs out (api/http.js) and leaves this page: stop here.
      if (error.code === ErrorCode.UNAUTHENTICATED) return;
      if (!destroyed && !loaded) showLoadError(error);
      // Over the read rate limit: refresh when the server said it would work, not sooner.
      delay = pollDelayAfter(error, REFRESH_MS);
    } finally {
      refreshing = false;
    }
    if (!destroyed) timer = setTimeout(refresh, delay);
  }

  /**
   * The next page after the conversations held. Counting from what is held is
   * right even after refreshes: a conversation that moved to the top was
   * merged by the refresh, and any row shifted onto the next page twice is
   * merged by peer id.
   */
  async function loadOlder() {
    if (loadingOlder || olderLimit.waiting) return;
    const wasFocused = document.activeElement === olderButton;
    const before = new Set(conversations.keys());
    loadingOlder = true;
    olderButton.disabled = true;
    olderButton.textContent = 'Loading…';
    body.setAttribute('aria-busy', 'true');
    try {
      const page = await api.conversations({ offset: conversations.size, limit: PAGE_SIZE });
      if (destroyed) return;
      merge(page);
      hasOlder = page.length === PAGE_SIZE;
      render();
      // Carry on reading where the new rows start (the button may be gone now).
      const firstNew = [...body.querySelectorAll('.conversation')].find((row) => !before.has(Number(row.dataset.userId)));
      if (wasFocused && firstNew) firstNew.querySelector('a').focus();
    } catch (error) {
      if (!destroyed && !olderLimit.show(error)) toastError(error, 'Could not load older conversations.');
    } finally {
      loadingOlder = false;
      olderButton.textContent = 'Show older conversations';
      olderButton.disabled = olderLimit.waiting;
      body.removeAttribute('aria-busy');
    }
    // Disabled while loading, the button may have dropped focus: give it back.
    if (wasFocused && !body.contains(document.activeElement) && olderButton.isConnected && !olderArea.hidden) {
      olderButton.focus({ preventScroll: true });
    }
  }

  olderButton.addEventListener('click', loadOlder);
  refresh();
  return { el, focusTarget: header.heading, destroy() { destroyed = true; clearTimeout(timer); } };
}
