// "You can try again in 42 s": a live countdown under the error of an action
// the server refused for going over its rate limit (HTTP 429 + Retry-After).
// While it runs, the action's controls stay disabled: the server said when a
// retry will succeed, and anything sooner would only be refused again.

import { h } from '../lib/dom.js';
import { secondsUntilRetry } from '../api/http.js';

// Under a second, so the number shown never lags the real wait by a whole second.
const TICK_MS = 250;

/** A rate-limited ApiError that says when to retry (a 429 without Retry-After does not). */
function hasRetryTime(error) {
  return Boolean(error?.isRateLimited && error.retryAt);
}

/**
 * A countdown line. start(error) shows it for a rate-limited ApiError with a
 * Retry-After and returns true (false, doing nothing, for any other error).
 * `controls` are disabled until the wait is over; then onDone() runs.
 */
export function retryHint({ controls = [], onDone } = {}) {
  // role=timer is a live region that is not announced on every tick (its
  // aria-live is off): the error next to it, with the server's own wait, is
  // what screen readers hear.
  const el = h('p', { class: 'retry-hint', role: 'timer', 'aria-live': 'off', hidden: true });
  let error = null;
  let timer = 0;

  function setControlsDisabled(disabled) {
    for (const control of controls) control.disabled = disabled;
  }

  function render() {
    const seconds = secondsUntilRetry(error);
    el.textContent = seconds > 0 ? `You can try again in ${seconds} s.` : 'You can try again now.';
    return seconds > 0;
  }

  function finish() {
    error = null;
    setControlsDisabled(false);
    onDone?.();
  }

  function tick() {
    // Gone with its view, dialog or toast: nobody is left to tell.
    if (!el.isConnected) return;
    if (render()) timer = setTimeout(tick, TICK_MS);
    else finish();
  }

  return {
    el,

    start(refusal) {
      if (!hasRetryTime(refusal)) return false;
      clearTimeout(timer);
      error = refusal;
      el.hidden = false;
      setControlsDisabled(true);
      // The first text now (the element may not be on the page yet), the rest on ticks.
      if (render()) timer = setTimeout(tick, TICK_MS);
      else finish();
      return true;
    },

    /** Hide the hint and give the controls back (for a new attempt or another error). */
    clear() {
      clearTimeout(timer);
      if (error) setControlsDisabled(false);
      error = null;
      el.hidden = true;
      el.textContent = '';
    },

    /** True while the server's wait is still running. */
    get waiting() {
      return secondsUntilRetry(error) > 0;
    },
  };
}

/**
 * The server's message and the countdown together, for a composer whose button
 * stays disabled for the wait (a toast would be gone long before it is over).
 * Hidden until show(error) gets a rate-limited error, and again once it is over.
 */
export function rateLimitNotice({ controls = [] } = {}) {
  const message = h('p', { class: 'rate-limit__message', role: 'alert' });
  const hint = retryHint({ controls, onDone: () => { el.hidden = true; } });
  const el = h('div', { class: 'rate-limit', hidden: true }, message, hint.el);

  return {
    el,

    /** Show `error` if it is a rate limit; false (nothing shown) otherwise. */
    show(error) {
      if (!hasRetryTime(error)) return false;
      message.textContent = error.message;
      el.hidden = false;
      hint.start(error); // last: a wait already over hides the notice again at once
      return true;
    },

    get waiting() {
      return hint.waiting;
    },
  };
}
