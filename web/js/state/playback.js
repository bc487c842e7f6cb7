// Playback preferences shared by every player on the page. Videos start
// muted (browsers only autoplay muted video); once the user unmutes, later
// videos keep sound on.

const listeners = new Set();
let muted = true;

export const playback = {
  get muted() { return muted; },
  setMuted(value) {
    if (muted === Boolean(value)) return;
    muted = Boolean(value);
    for (const listener of [...listeners]) listener(muted);
  },
  /** Subscribe to mute changes; returns an unsubscribe function. */
  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
