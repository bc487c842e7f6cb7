// "Follow" / "Following" toggle for a user. Hidden for yourself. Stays in step
// with follows made elsewhere via the 'follow-changed' event.

import { h } from '../lib/dom.js';
import { session } from '../state/session.js';
import { on } from '../state/events.js';
import { setFollowing } from '../actions/follow.js';

/** size: 'sm' (lists) | 'lg' (profile header). */
export function followButton(user, { size = 'sm', onChange } = {}) {
  if (session.isMe(user.id)) return null;
  const button = h('button', { type: 'button', class: ['button', `button--${size}`, 'follow-button'] });

  function render() {
    const following = Boolean(user.is_follow);
    button.textContent = following ? 'Following' : 'Follow';
    button.classList.toggle('button--primary', !following);
    button.classList.toggle('button--muted', following);
    button.setAttribute('aria-pressed', String(following));
    button.setAttribute('aria-label', `${following ? 'Unfollow' : 'Follow'} ${user.name}`);
  }

  button.addEventListener('click', async (event) => {
    event.preventDefault();
    event.stopPropagation();
    await setFollowing(user, !user.is_follow);
    onChange?.(user);
  });

  const unsubscribe = on('follow-changed', ({ userId, isFollow }) => {
    if (!button.isConnected) { unsubscribe(); return; }
    if (Number(userId) !== Number(user.id)) return;
    user.is_follow = isFollow;
    render();
    onChange?.(user);
  });

  render();
  return button;
}
