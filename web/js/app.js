// Entry point: builds the shell, wires the router and reacts to sign-in/out.

import { api } from './api/douyin.js';
import { session } from './state/session.js';
import { createRouter } from './router.js';
import { buildRoutes } from './routes.js';
import { setRouter, go, currentPath, loginPath } from './navigation.js';
import { createAppShell } from './components/app-shell.js';
import { toast } from './components/toast.js';
import { notFoundView } from './views/not-found-view.js';

function signOut() {
  session.signOut('signed-out');
}

const routes = buildRoutes({ signOut });
const shell = createAppShell({ onSignOut: signOut });
document.getElementById('app').replaceWith(shell.el);

let currentRoute = null;

const router = createRouter({
  routes,
  outlet: shell.outlet,
  notFound: notFoundView,
  guard(route, path, query) {
    if (route.auth && !session.isSignedIn) {
      const search = new URLSearchParams(query).toString();
      return loginPath(search ? `${path}?${search}` : path);
    }
    return route.redirect ? route.redirect() : null;
  },
  onRouteChange({ name, params }) {
    currentRoute = routes.find((route) => route.name === name) ?? null;
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
    const navName = name === 'profile' && session.isMe(params.id) ? 'me' : name;
    shell.setRoute(navName, { immersive: Boolean(currentRoute?.immersive) });
    document.title = currentRoute?.title ? `${currentRoute.title} · minitok` : 'minitok';
  },
});
setRouter(router);

/** Refresh the stored display name from the server (and validate the token). */
async function refreshMe() {
  if (!session.isSignedIn) return;
  try {
    const me = await api.user();
    if (me && session.isSignedIn && (me.name !== session.name || me.avatar !== session.avatar)) {
      session.updateProfile({ name: me.name, avatar: me.avatar });
    }
  } catch {
    // 10002 already signed us out (api/http.js); other errors: keep the session.
  }
}

session.onChange(({ reason }) => {
  if (reason === 'expired') {
    toast('Your session has expired. Please log in again.', 'error', 6000);
    if (currentRoute?.auth) go(loginPath(currentPath()), { replace: true });
  } else if (reason === 'signed-in') {
    refreshMe();
  } else if (reason === 'signed-out') {
    toast('You are logged out.');
    go('/feed');
  }
});

router.start();
refreshMe();
