// Log in and sign up (one form, two modes). On success the token goes to
// localStorage (state/session.js) and the user returns to `next`.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { codePointLength } from '../lib/format.js';
import { api } from '../api/douyin.js';
import { session } from '../state/session.js';
import { go } from '../navigation.js';
import { toast } from '../components/toast.js';
import { retryHint } from '../components/retry-hint.js';

// The server takes usernames and passwords of 1 to 32 characters (Unicode code points).
const MAX_CHARS = 32;
// maxlength counts UTF-16 code units, where an emoji takes two: at 32 the sign-up
// fields stop at the server's limit for all but such characters. The login fields
// allow the 64 units the longest possible name or password can take, so that they
// never cut one short; both forms check code points before sending.
const SIGNUP_MAXLENGTH = MAX_CHARS;
const LOGIN_MAXLENGTH = MAX_CHARS * 2;

/** Only follow "next" paths inside the app. */
function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') && !next.startsWith('/signup')
    ? next : '/feed';
}

export function authView({ query }, mode) {
  const signingUp = mode === 'signup';
  const next = safeNext(query.next);
  const nextQuery = query.next ? `?next=${encodeURIComponent(next)}` : '';

  const maxlength = String(signingUp ? SIGNUP_MAXLENGTH : LOGIN_MAXLENGTH);
  const error = h('p', { class: 'form__error', id: 'auth-error', role: 'alert', hidden: true });
  // Each field is described by its hint (sign-up) and by the error when there is one.
  const username = h('input', {
    id: 'auth-username', name: 'username', type: 'text', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', maxlength,
    'aria-describedby': signingUp ? 'auth-username-hint auth-error' : 'auth-error',
  });
  const password = h('input', {
    id: 'auth-password', name: 'password', type: 'password', required: true,
    autocomplete: signingUp ? 'new-password' : 'current-password', maxlength,
    'aria-describedby': signingUp ? 'auth-password-hint auth-error' : 'auth-error',
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary button--block button--lg' },
    signingUp ? 'Sign up' : 'Log in');
  // Too many sign-ups, logins or failed sign-ins: the submit button waits out the
  // server's Retry-After (an earlier attempt would only be refused again).
  const wait = retryHint({ controls: [submit] });
  const heading = h('h1', { class: 'auth__title', tabindex: '-1', text: signingUp ? 'Create your account' : 'Log in to minitok' });

  const form = h('form', { class: 'form auth__form', novalidate: true },
    h('div', { class: 'form__field' },
      h('label', { for: 'auth-username', text: 'Username' }), username,
      signingUp ? h('p', { class: 'form__hint', id: 'auth-username-hint', text: `1–${MAX_CHARS} characters. This is your public name.` }) : null),
    h('div', { class: 'form__field' },
      h('label', { for: 'auth-password', text: 'Password' }), password,
      signingUp ? h('p', { class: 'form__hint', id: 'auth-password-hint', text: `1–${MAX_CHARS} characters.` }) : null),
    error,
    wait.el,
    submit);

  const el = h('section', { class: 'view auth-view' },
    h('div', { class: 'auth__card' },
      h('div', { class: 'auth__brand', 'aria-hidden': 'true' }, h('span', { class: 'brand-mark brand-mark--lg' }, icon('play'))),
      heading,
      h('p', { class: 'auth__lead', text: signingUp ? 'Post videos, follow creators and chat with friends.' : 'Welcome back.' }),
      form,
      h('p', { class: 'auth__switch' },
        signingUp ? 'Already have an account? ' : 'New here? ',
        h('a', { href: `#/${signingUp ? 'login' : 'signup'}${nextQuery}`, text: signingUp ? 'Log in' : 'Sign up' }))));

  function showError(message, field = null) {
    error.textContent = message;
    error.hidden = false;
    for (const input of [username, password]) input.removeAttribute('aria-invalid');
    if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
  }

  // maxlength does not cover everything (autofill, a pasted emoji-heavy name on
  // the login form): count code points as the server does before sending.
  function validate(name, pass) {
    const nameLength = codePointLength(name);
    const passLength = codePointLength(pass);
    if (!name) return ['Enter a username.', username];
    if (nameLength > MAX_CHARS) return [`Usernames are at most ${MAX_CHARS} characters; this one has ${nameLength}.`, username];
    if (!pass) return ['Enter a password.', password];
    if (passLength > MAX_CHARS) return [`Passwords are at most ${MAX_CHARS} characters; this one has ${passLength}.`, password];
    return null;
  }

  // Editing a field the error points at takes the error's mark off it.
  for (const input of [username, password]) {
    input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = username.value.trim();
    const pass = password.value;
    if (wait.waiting) return;
    const problem = validate(name, pass);
    if (problem) { showError(...problem); return; }
    // Emptied, not only hidden: the fields name it in aria-describedby, which reads hidden text too.
    error.hidden = true;
    error.textContent = '';
    wait.clear();
    submit.disabled = true;
    submit.textContent = signingUp ? 'Creating account…' : 'Logging in…';
    try {
      const { userId, token } = signingUp ? await api.register(name, pass) : await api.login(name, pass);
      session.signIn({ token, userId, name });
      toast(signingUp ? `Welcome to minitok, ${name}!` : `Welcome back, ${name}.`, 'success');
      go(next, { replace: true });
    } catch (err) {
      showError(err.message, signingUp && err.code === 10005 ? username : null);
      wait.start(err);
      submit.disabled = wait.waiting;
      submit.textContent = signingUp ? 'Sign up' : 'Log in';
    }
  });

  if (session.isSignedIn && !query.next) {
    // Already signed in: offer a way forward instead of a second login.
    form.prepend(h('p', { class: 'form__note' }, `You are logged in as ${session.name}. `, h('a', { href: '#/feed', text: 'Go to the feed' })));
  }

  return { el, focusTarget: username };
}
