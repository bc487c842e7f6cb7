// Title bar for the non-video pages, with an optional back button.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { goBack } from '../navigation.js';

/** back: fallback path used when there is no in-app history (null = no button). */
export function pageHeader({ title, back = null, trailing = null, titleId = null }) {
  const heading = h('h1', { class: 'page-header__title', id: titleId, tabindex: '-1' }, title);
  const backButton = back === null ? null
    : h('button', { type: 'button', class: 'icon-button page-header__back', 'aria-label': 'Back', onClick: () => goBack(back) }, icon('back'));
  return {
    el: h('header', { class: 'page-header' }, backButton, heading, h('div', { class: 'page-header__trailing' }, trailing)),
    heading,
  };
}
