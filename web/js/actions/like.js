// Like / unlike a video optimistically: the UI changes at once and is rolled
// back if the server refuses.

import { api } from '../api/douyin.js';
import { emit } from '../state/events.js';
import { requireSignIn } from '../navigation.js';
import { toastError } from '../components/toast.js';

const inFlight = new Set();

/**
 * Toggle the like on `video` (mutated in place). `render` is called after each
 * change of video.is_favorite / video.favorite_count. Resolves when settled.
 */
export async function toggleLike(video, render) {
  if (!requireSignIn('Log in to like videos.')) return;
  if (inFlight.has(video.id)) return;
  const before = { is_favorite: video.is_favorite, favorite_count: video.favorite_count };
  const liked = !video.is_favorite;
  video.is_favorite = liked;
  video.favorite_count = Math.max(0, Number(video.favorite_count) + (liked ? 1 : -1));
  render();
  inFlight.add(video.id);
  try {
    await api.setLiked(video.id, liked);
    emit('video-changed', { video });
  } catch (error) {
    // Rolled back on any error, a rate limit (HTTP 429) included; for that one
    // toastError also says when to try again.
    Object.assign(video, before);
    render();
    toastError(error, 'Could not update the like.');
  } finally {
    inFlight.delete(video.id);
  }
}
