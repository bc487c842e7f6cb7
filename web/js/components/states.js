// Loading, empty and error placeholders shared by every view.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

export function spinner(label = 'Loading') {
  return h('div', { class: 'spinner', role: 'progressbar', 'aria-label': label });
}

export function loadingBlock(label = 'Loading…') {
  return h('div', { class: 'placeholder placeholder--loading' }, spinner(label), h('p', { text: label }));
}

/** An empty or error state with an optional call to action ({label, href} or {label, onClick}). */
export function emptyState({ iconName = 'videos', title, text, action, kind = 'empty' }) {
  let actionEl = null;
  if (action?.href) actionEl = h('a', { class: 'button button--primary', href: action.href, text: action.label });
  else if (action?.onClick) actionEl = h('button', { class: 'button button--primary', type: 'button', text: action.label, onClick: action.onClick });
  return h('div', { class: ['placeholder', `placeholder--${kind}`], role: kind === 'error' ? 'alert' : null },
    icon(iconName, 'placeholder__icon'),
    h('h2', { class: 'placeholder__title', text: title }),
    text ? h('p', { class: 'placeholder__text', text }) : null,
    actionEl);
}

export function errorState(error, retry) {
  return emptyState({
    kind: 'error',
    iconName: 'alert',
    title: 'Could not load this',
    text: error?.message || 'Something went wrong.',
    action: retry ? { label: 'Try again', onClick: retry } : null,
  });
}
