// A list of users (following, followers, friends): avatar, name, a secondary
// line, and a follow button or a custom trailing element.

import { h } from '../lib/dom.js';
import { avatar } from './avatar.js';
import { followButton } from './follow-button.js';
import { plural } from '../lib/format.js';

/**
 * users: User[]; options.secondary(user) -> string for the second line;
 * options.trailing(user) -> Node (defaults to a follow button);
 * options.href(user) -> link target (defaults to the profile).
 */
export function userList(users, { secondary, trailing, href, label = 'People' } = {}) {
  const list = h('ul', { class: 'user-list', 'aria-label': label });
  for (const user of users) {
    const second = secondary ? secondary(user)
      : user.signature || `${plural(user.follower_count, 'follower')} · ${plural(user.work_count, 'video')}`;
    list.append(h('li', { class: 'user-list__item', dataset: { userId: user.id } },
      h('a', { class: 'user-list__link', href: `#${href ? href(user) : `/user/${user.id}`}` },
        avatar(user, 'md'),
        h('span', { class: 'user-list__text' },
          h('span', { class: 'user-list__name', text: user.name }),
          h('span', { class: 'user-list__secondary', text: second }))),
      trailing ? trailing(user) : followButton(user)));
  }
  return list;
}
