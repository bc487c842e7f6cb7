// Comments for one video in a modal panel (bottom sheet on phones, side drawer
// on desktop): newest first, add, delete (your own, or any on your video).

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { codePointLength, plural } from '../lib/format.js';
import { api } from '../api/douyin.js';
import { session } from '../state/session.js';
import { emit } from '../state/events.js';
import { loginPath } from '../navigation.js';
import { avatar } from './avatar.js';
import { loadingBlock, errorState } from './states.js';
import { toast, toastError } from './toast.js';
import { rateLimitNotice } from './retry-hint.js';

const MAX_COMMENT_CHARS = 500;

/** Open the panel for `video`; onCountChange(count) after adds and deletes. */
export function openComments(video, { onCountChange } = {}) {
  const opener = document.activeElement;
  const heading = h('h2', { class: 'sheet__title', id: `comments-title-${video.id}` });
  const list = h('ul', { class: 'comment-list', 'aria-label': 'Comments' });
  const body = h('div', { class: 'sheet__body' }, loadingBlock('Loading comments…'));
  const composer = session.isSignedIn ? createComposer() : signInPrompt();
  const closeButton = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close comments' }, icon('close'));

  const dialog = h('dialog', { class: 'sheet sheet--comments', 'aria-labelledby': heading.id },
    h('div', { class: 'sheet__panel' },
      h('header', { class: 'sheet__header' }, heading, closeButton),
      body,
      composer.el));

  let comments = [];
  const canDelete = (comment) => session.isMe(comment.user?.id) || session.isMe(video.author?.id);

  function renderHeading() {
    heading.textContent = plural(video.comment_count, 'comment');
  }

  function setCount(count) {
    video.comment_count = Math.max(0, count);
    renderHeading();
    onCountChange?.(video.comment_count);
    emit('video-changed', { video });
  }

  function renderList() {
    if (comments.length === 0) {
      body.replaceChildren(h('p', { class: 'sheet__empty', text: 'No comments yet. Start the conversation.' }));
      return;
    }
    list.replaceChildren(...comments.map(commentItem));
    body.replaceChildren(list);
  }

  function commentItem(comment) {
    const del = canDelete(comment) ? h('button', {
      type: 'button',
      class: 'icon-button icon-button--small comment__delete',
      'aria-label': `Delete comment: ${comment.content}`,
      onClick: () => remove(comment, del),
    }, icon('trash')) : null;
    return h('li', { class: 'comment', dataset: { commentId: comment.id } },
      h('a', { href: `#/user/${comment.user?.id}`, class: 'comment__avatar', tabindex: '-1', 'aria-hidden': 'true' }, avatar(comment.user, 'sm')),
      h('div', { class: 'comment__main' },
        h('a', { class: 'comment__author', href: `#/user/${comment.user?.id}`, text: comment.user?.name ?? 'Someone' },
          Number(comment.user?.id) === Number(video.author?.id)
            ? h('span', { class: 'comment__badge', text: 'Creator' }) : null),
        h('p', { class: 'comment__content', text: comment.content }),
        h('span', { class: 'comment__date', text: comment.create_date })),
      del);
  }

  async function load() {
    try {
      comments = await api.comments(video.id);
      // The server lists newest first; the count may have moved since the feed loaded.
      if (comments.length !== video.comment_count && comments.length < 100) setCount(comments.length);
      renderList();
    } catch (error) {
      body.replaceChildren(errorState(error, load));
    }
  }

  async function remove(comment, button) {
    button.disabled = true;
    try {
      await api.deleteComment(video.id, comment.id);
      comments = comments.filter((c) => c.id !== comment.id);
      setCount(video.comment_count - 1);
      renderList();
      toast('Comment deleted.', 'success');
      composer.focus?.();
    } catch (error) {
      button.disabled = false;
      toastError(error, 'Could not delete the comment.');
    }
  }

  function createComposer() {
    const input = h('input', {
      class: 'composer__input', type: 'text', name: 'comment', autocomplete: 'off',
      placeholder: 'Add a comment…', 'aria-label': 'Add a comment', maxlength: String(MAX_COMMENT_CHARS * 2),
    });
    const send = h('button', { type: 'submit', class: 'icon-button icon-button--accent', 'aria-label': 'Post comment' }, icon('send'));
    // Over the comment rate limit, Post stays disabled until the server's wait is over;
    // the text stays in the input, ready to go then.
    const limit = rateLimitNotice({ controls: [send] });
    const form = h('form', { class: 'composer' }, avatar({ name: session.name, avatar: session.avatar }, 'sm'), input, send);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text || limit.waiting) return;
      if (codePointLength(text) > MAX_COMMENT_CHARS) { toast(`Comments can be at most ${MAX_COMMENT_CHARS} characters.`, 'error'); return; }
      send.disabled = true;
      input.disabled = true;
      try {
        const comment = await api.addComment(video.id, text);
        input.value = '';
        if (comment) comments = [comment, ...comments.filter((c) => c.id !== comment.id)];
        setCount(video.comment_count + 1);
        renderList();
        body.scrollTop = 0;
      } catch (error) {
        if (!limit.show(error)) toastError(error, 'Could not post the comment.');
      } finally {
        send.disabled = limit.waiting;
        input.disabled = false;
        input.focus();
      }
    });
    return { el: h('div', { class: 'composer-area' }, limit.el, form), focus: () => input.focus() };
  }

  function signInPrompt() {
    return {
      el: h('div', { class: 'composer composer--signed-out' },
        h('a', { class: 'button button--primary button--block', href: `#${loginPath()}`, onClick: () => dialog.close() }, 'Log in to comment')),
    };
  }

  closeButton.addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus({ preventScroll: true });
  });
  renderHeading();
  document.body.append(dialog);
  dialog.showModal();
  if (composer.focus) composer.focus(); else closeButton.focus();
  load();
  return { close: () => dialog.open && dialog.close() };
}
