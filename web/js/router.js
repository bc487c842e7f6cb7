// Hash router: "#/user/3/followers?tab=x" -> { name, params: {id: '3'}, query }.
// Hash routing means the server only ever serves "/" and static files.
//
// A view is a function (ctx) => { el, destroy?(), focusTarget? }, where
// ctx = { params, query, path, router }. The previous view is destroyed
// (timers stopped, videos paused) before the next one mounts.

export function parseHash(hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?');
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  return { path, query: Object.fromEntries(new URLSearchParams(queryPart)) };
}

function compile(pattern) {
  const names = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) { names.push(part.slice(1)); return '([^/]+)'; }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), names };
}

export function createRouter({ routes, outlet, guard, onRouteChange, notFound }) {
  const table = routes.map((route) => ({ ...route, ...compile(route.pattern) }));
  let mounted = null;

  function match(path) {
    for (const route of table) {
      const found = route.regex.exec(path);
      if (found) {
        const params = {};
        route.names.forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]); });
        return { route, params };
      }
    }
    return null;
  }

  // Each history entry remembers how deep into the app it is, so back() can
  // tell whether history.back() stays inside the app.
  let depth = -1;
  function recordDepth() {
    const stored = history.state?.minitokDepth;
    if (typeof stored === 'number') depth = stored;
    else { depth += 1; history.replaceState({ minitokDepth: depth }, ''); }
  }

  function render() {
    recordDepth();
    const { path, query } = parseHash(location.hash);
    const found = match(path);
    const redirect = found && guard ? guard(found.route, path, query) : null;
    if (redirect) { navigate(redirect, { replace: true }); return; }

    if (mounted?.destroy) mounted.destroy();
    const ctx = { params: found?.params ?? {}, query, path, router };
    const view = found ? found.route.view(ctx) : notFound(ctx);
    mounted = view;
    outlet.replaceChildren(view.el);
    onRouteChange?.({ name: found?.route.name ?? 'not-found', path, params: ctx.params, query });
    (view.focusTarget ?? outlet).focus({ preventScroll: true });
  }

  /** Go to an app path such as "/user/3". */
  function navigate(path, { replace = false } = {}) {
    const hash = `#${path}`;
    if (replace) {
      history.replaceState({ minitokDepth: Math.max(depth, 0) }, '', hash);
    } else if (location.hash !== hash) {
      history.pushState({ minitokDepth: depth + 1 }, '', hash);
    }
    render();
  }

  /** Back within the app if there is somewhere to go back to, otherwise to `fallback`. */
  function back(fallback = '/feed') {
    if (depth > 0) history.back();
    else navigate(fallback, { replace: true });
  }

  window.addEventListener('hashchange', render);

  const router = {
    navigate,
    back,
    start() {
      if (!location.hash || location.hash === '#' || location.hash === '#/') navigate('/feed', { replace: true });
      else render();
    },
    current: () => parseHash(location.hash),
  };
  return router;
}
