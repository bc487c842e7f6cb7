// The page frame: navigation (left sidebar on desktop, bottom tab bar on
// phones), the view outlet and the toast region.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { session } from '../state/session.js';
import { avatar } from './avatar.js';
import { createToastRegion } from './toast.js';

/** Nav entries; `routes` lists the route names that highlight the entry. */
const NAV_ITEMS = [
  { key: 'feed', label: 'Home', iconName: 'home', href: '#/feed', routes: ['feed'] },
  { key: 'friends', label: 'Friends', iconName: 'friends', href: '#/friends', routes: ['friends'] },
  { key: 'publish', label: 'Upload', iconName: 'plus', href: '#/publish', routes: ['publish'], create: true },
  { key: 'inbox', label: 'Inbox', iconName: 'inbox', href: '#/inbox', routes: ['inbox', 'chat'] },
  { key: 'me', label: 'Profile', iconName: 'person', href: '#/me', routes: ['me'] },
];

export function createAppShell({ onSignOut }) {
  const links = new Map();
  const navList = h('ul', { class: 'nav__list' });
  for (const item of NAV_ITEMS) {
    const link = h('a', { class: ['nav__link', item.create && 'nav__link--create'], href: item.href, dataset: { nav: item.key } },
      item.create ? h('span', { class: 'nav__create' }, icon(item.iconName)) : icon(item.iconName),
      h('span', { class: 'nav__label', text: item.label }));
    links.set(item.key, link);
    navList.append(h('li', { class: 'nav__item' }, link));
  }

  const account = h('div', { class: 'nav__account' });
  const nav = h('nav', { class: 'nav', 'aria-label': 'Main' },
    h('a', { class: 'nav__brand', href: '#/feed', 'aria-label': 'minitok home' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, icon('play')),
      h('span', { class: 'brand-word', text: 'minitok' })),
    navList,
    account);

  const outlet = h('main', { class: 'outlet', id: 'main', tabindex: '-1' });
  const skip = h('a', { class: 'skip-link', href: '#main', text: 'Skip to content' });
  skip.addEventListener('click', (event) => { event.preventDefault(); outlet.focus(); });
  const el = h('div', { class: 'app' }, skip, nav, outlet, createToastRegion());

  function renderAccount() {
    if (session.isSignedIn) {
      account.replaceChildren(
        h('a', { class: 'nav__me', href: '#/me' }, avatar({ name: session.name, avatar: session.avatar }, 'sm'), h('span', { text: session.name || 'Me' })),
        h('button', { type: 'button', class: 'button button--ghost button--sm nav__signout', onClick: onSignOut }, icon('logout'), 'Log out'));
    } else {
      account.replaceChildren(
        h('p', { class: 'nav__pitch', text: 'Log in to follow creators, like videos and chat with friends.' }),
        h('a', { class: 'button button--primary button--block', href: '#/login', text: 'Log in' }));
    }
    links.get('me').querySelector('.nav__label').textContent = session.isSignedIn ? 'Profile' : 'Log in';
  }

  /** Highlight the nav entry for route `name`; `immersive` darkens the chrome over video. */
  function setRoute(name, { immersive = false } = {}) {
    for (const item of NAV_ITEMS) {
      const link = links.get(item.key);
      if (item.routes.includes(name)) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    el.classList.toggle('app--immersive', immersive);
    el.dataset.route = name;
  }

  session.onChange(renderAccount);
  renderAccount();
  return { el, outlet, setRoute };
}
