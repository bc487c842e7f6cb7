// App-wide change notifications, so every view showing the same user or video
// stays consistent (e.g. following an author in the feed updates other slides).
//
//   'follow-changed'  detail: { userId, isFollow }
//   'video-changed'   detail: { video }  (the updated Video object)

const bus = new EventTarget();

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

/** Listen; returns an unsubscribe function. */
export function on(type, handler) {
  const listener = (event) => handler(event.detail);
  bus.addEventListener(type, listener);
  return () => bus.removeEventListener(type, listener);
}
