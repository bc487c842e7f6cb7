// The signed-in user's token, kept in localStorage. The token is only ever
// sent in the Authorization header (see api/http.js), never in a URL.

const STORAGE_KEY = 'minitok.session';

function readStored() {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (parsed && typeof parsed.token === 'string' && parsed.token && Number(parsed.userId) > 0) {
      return {
        token: parsed.token, userId: Number(parsed.userId), name: String(parsed.name ?? ''), avatar: String(parsed.avatar ?? ''),
      };
    }
  } catch {
    // Corrupt entry: behave as signed out.
  }
  return null;
}

let current = readStored();
const listeners = new Set();

function notify(reason) {
  for (const listener of [...listeners]) listener({ reason, session: current });
}

export const session = {
  get token() { return current?.token ?? ''; },
  get userId() { return current?.userId ?? 0; },
  get name() { return current?.name ?? ''; },
  get avatar() { return current?.avatar ?? ''; },
  get isSignedIn() { return current !== null; },

  /** True when `userId` is the signed-in user. */
  isMe(userId) { return current !== null && Number(userId) === current.userId; },

  signIn({ token, userId, name, avatar = '' }) {
    current = { token, userId: Number(userId), name: String(name ?? ''), avatar: String(avatar ?? '') };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
    notify('signed-in');
  },

  /** Update the cached display name and avatar of the signed-in user. */
  updateProfile({ name, avatar }) {
    if (current === null) return;
    current = { ...current, name: String(name ?? current.name), avatar: String(avatar ?? current.avatar) };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
    notify('profile');
  },

  /** reason: 'signed-out' (user asked) or 'expired' (server refused the token). */
  signOut(reason = 'signed-out') {
    if (current === null) return;
    current = null;
    localStorage.removeItem(STORAGE_KEY);
    notify(reason);
  },

  /** Subscribe to sign-in/out; returns an unsubscribe function. */
  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

// Keep several tabs of the app in step.
window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY) return;
  current = readStored();
  notify(current ? 'signed-in' : 'signed-out');
});
