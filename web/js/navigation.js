// Access to the router from components that are not views, and the
// "sign in first" redirect used by every action that needs an account.

import { session } from './state/session.js';
import { toast } from './components/toast.js';

let router = null;

export function setRouter(instance) { router = instance; }

export function go(path, options) { router?.navigate(path, options); }

export function goBack(fallback) { router?.back(fallback); }

export function currentPath() {
  const raw = location.hash.replace(/^#/, '');
  return raw || '/feed';
}

/** The login route that returns to `next` (default: where we are now). */
export function loginPath(next = currentPath()) {
  return `/login?next=${encodeURIComponent(next)}`;
}

/**
 * True when signed in. Otherwise explains why and sends the user to log in,
 * coming back here afterwards.
 */
export function requireSignIn(why = 'Log in to do that.') {
  if (session.isSignedIn) return true;
  toast(why);
  go(loginPath());
  return false;
}
