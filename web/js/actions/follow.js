// Follow / unfollow a user optimistically, rolled back on error. Every view
// showing that user hears about it through the 'follow-changed' event.

import { api } from '../api/douyin.js';
import { emit } from '../state/events.js';
import { requireSignIn } from '../navigation.js';
import { toastError } from '../components/toast.js';

const inFlight = new Set();

/** Set whether the signed-in user follows `user` (mutated in place). */
export async function setFollowing(user, follow) {
  if (!requireSignIn('Log in to follow people.')) return false;
  if (inFlight.has(user.id)) return false;
  const before = { is_follow: user.is_follow, follower_count: user.follower_count };
  user.is_follow = follow;
  if (typeof user.follower_count === 'number' && before.is_follow !== follow) {
    user.follower_count = Math.max(0, user.follower_count + (follow ? 1 : -1));
  }
  emit('follow-changed', { userId: user.id, isFollow: follow, user });
  inFlight.add(user.id);
  try {
    await api.setFollowing(user.id, follow);
    return true;
  } catch (error) {
    // Rolled back on any error, a rate limit (HTTP 429) included; for that one
    // toastError also says when to try again.
    Object.assign(user, before);
    emit('follow-changed', { userId: user.id, isFollow: before.is_follow, user });
    toastError(error, 'Could not update the follow.');
    return false;
  } finally {
    inFlight.delete(user.id);
  }
}
