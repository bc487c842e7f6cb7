// End-to-end: the inbox lists every conversation of the signed-in user
// (/douyin/message/conversations/), friend or not, newest last message first,
// then the friends not messaged yet; older conversations page in on demand.
//
// dana uses the client on a phone; everyone else acts through the API. Like
// client.e2e.test.js: a console error, an uncaught error or a request to a
// non-loopback host fails the run (except the one simulated 429 below);
// screenshots go to build/e2e-screenshots/.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../support/server.js';
import { closeAll, launchBrowser, openGuardedContext, screenshot, screenshotBoth, PHONE } from '../support/browser.js';
import { visit, signUpViaUi, registerViaApi, apiGet, apiPost } from '../support/app.js';

const STEP_TIMEOUT = 120_000;
const PAGE_SIZE = 20; // the client's page of conversations (web/js/views/inbox-view.js)
const REFRESH_TIMEOUT = 12_000; // the inbox refreshes every 5 s
const FILLERS = PAGE_SIZE; // with erin, frank and gina: one page and 3 more
const suffix = Date.now().toString(36).slice(-5);
const DANA = { name: `dana_${suffix}`, password: 'dana-secret-1' }; // the viewer, in the browser
const ERIN = { name: `erin_${suffix}`, password: 'erin-secret-1' }; // follows dana; dana does not follow back
const FRANK = { name: `frank_${suffix}`, password: 'frank-secret-1' }; // a friend dana has messaged
const GINA = { name: `gina_${suffix}`, password: 'gina-secret-1' }; // a friend nobody has messaged yet
const CONVERSATIONS_ROUTE = '/douyin/message/conversations/';

// Chromium logs an HTTP error answer as a console error; the simulated 429 of an older page
// is expected to produce that one line, and any other console error still fails.
const REFUSED_PAGE_LOG = /console error: Failed to load resource: .*\b429\b.*\/douyin\/message\/conversations/;

describe('minitok inbox', () => {
  let server;
  let browser;
  let dana; // { context, page, problems, requests }
  let base;
  // Every message sent in this run, in order: the inbox's order is the reverse of when each
  // person last exchanged a message with dana.
  const sent = [];

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
    dana = await openGuardedContext(browser, { viewport: PHONE, label: 'dana/phone', mobile: true });
  });

  after(() => closeAll({ contexts: [dana], browser, server }));

  /** Fail the step on any browser problem, but for those matching one of `expected` (each at most once). */
  function assertClean(expected = []) {
    const unexpected = [];
    const left = [...expected];
    for (const problem of dana.problems.splice(0)) {
      const index = left.findIndex((pattern) => pattern.test(problem));
      if (index === -1) unexpected.push(problem);
      else left.splice(index, 1);
    }
    assert.deepEqual(unexpected, [], `browser problems:\n${unexpected.join('\n')}`);
  }

  /** Send a message through the API, a few ms after the last one so that every create_time differs. */
  async function message(from, to, content) {
    await sleep(5);
    await apiPost(base, '/douyin/message/action/', { to_user_id: to.userId, action_type: 1, content }, from.token);
    sent.push({ peerId: from === DANA ? to.userId : from.userId, content, mine: from === DANA });
  }

  async function follow(who, whom) {
    await apiPost(base, '/douyin/relation/action/', { to_user_id: whom.userId, action_type: 1 }, who.token);
  }

  /** Peer ids newest first, each with the last message exchanged, as the messages sent in this run say. */
  function expectedConversations() {
    const latest = new Map();
    for (const entry of sent) {
      latest.delete(entry.peerId);
      latest.set(entry.peerId, entry);
    }
    return [...latest.values()].reverse();
  }

  /** The rows of the page's conversation list and friend list, read in one go. */
  function readInbox(page) {
    return page.evaluate(() => ({
      conversations: [...document.querySelectorAll('.conversation-list .conversation')].map((row) => ({
        userId: Number(row.dataset.userId),
        name: row.querySelector('.conversation__name')?.textContent,
        preview: row.querySelector('.conversation__preview')?.textContent,
        time: row.querySelector('.conversation__time')?.textContent,
        href: row.querySelector('a')?.getAttribute('href'),
      })),
      friends: [...document.querySelectorAll('.user-list .user-list__item')].map((row) => Number(row.dataset.userId)),
    }));
  }

  /** Wait until the conversation list shows exactly `ids`, in order. */
  async function waitForConversationIds(page, ids, timeout = REFRESH_TIMEOUT) {
    await page.waitForFunction((wanted) => {
      const shown = [...document.querySelectorAll('.conversation-list .conversation')].map((row) => Number(row.dataset.userId));
      return JSON.stringify(shown) === JSON.stringify(wanted);
    }, ids, { timeout, polling: 100 });
  }

  test('a new account has an empty inbox', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = dana;
    Object.assign(DANA, await signUpViaUi(page, base, DANA.name, DANA.password));
    await visit(page, base, '/inbox');
    await page.getByRole('heading', { name: 'No conversations yet' }).waitFor();
    await screenshotBoth(page, 'inbox-01-empty');
    assertClean();
  });

  test('a message from someone dana does not follow back appears without a reload and opens the chat', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = dana;
    Object.assign(ERIN, await registerViaApi(base, ERIN.name, ERIN.password));
    await follow(ERIN, DANA);
    await page.evaluate(() => { window.__sameDocument = true; });
    const hello = `Hi ${DANA.name}, loved your profile 🌟`;
    await message(ERIN, DANA, hello);

    // Not a friend: neither in dana's following nor in her friends.
    const following = await apiGet(base, '/douyin/relation/follow/list/', { user_id: DANA.userId }, DANA.token);
    const friends = await apiGet(base, '/douyin/relation/friend/list/', { user_id: DANA.userId }, DANA.token);
    assert.deepEqual(following.user_list, [], 'dana follows nobody');
    assert.deepEqual(friends.user_list, [], 'dana has no friends yet');

    // The open inbox picks it up on its next refresh.
    const list = page.getByRole('list', { name: 'Conversations' });
    const link = list.getByRole('link', { name: `${ERIN.name}, ${hello}, just now` });
    await link.waitFor({ timeout: REFRESH_TIMEOUT });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload happened');
    const inbox = await readInbox(page);
    assert.deepEqual(inbox.conversations, [
      { userId: ERIN.userId, name: ERIN.name, preview: hello, time: 'now', href: `#/chat/${ERIN.userId}` },
    ]);
    assert.deepEqual(inbox.friends, [], 'no friends section');
    await screenshotBoth(page, 'inbox-02-stranger');

    await link.click();
    await page.waitForURL(new RegExp(`#/chat/${ERIN.userId}$`));
    await page.locator('.message--theirs', { hasText: hello }).waitFor();
    assertClean();
  });

  test('friends: a messaged friend is listed once, a new one under Friends; newest first; "You:" for own messages', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = dana;
    Object.assign(FRANK, await registerViaApi(base, FRANK.name, FRANK.password));
    Object.assign(GINA, await registerViaApi(base, GINA.name, GINA.password));
    for (const friend of [FRANK, GINA]) {
      await follow(DANA, friend);
      await follow(friend, DANA);
    }
    await message(FRANK, DANA, 'Coffee later?');
    const reply = 'Sure,\n  at 5';
    await message(DANA, FRANK, reply);

    await visit(page, base, '/inbox');
    await waitForConversationIds(page, [FRANK.userId, ERIN.userId]);
    let inbox = await readInbox(page);
    assert.equal(inbox.conversations[0].preview, 'You: Sure, at 5', 'own last message, on one line, after "You: "');
    assert.deepEqual(inbox.friends, [GINA.userId], 'only the friend without messages is under Friends');
    assert.equal(await page.locator(`[data-user-id="${FRANK.userId}"]`).count(), 1, 'the messaged friend appears once');
    const greet = page.getByRole('list', { name: 'Friends to message' });
    await greet.getByRole('link', { name: new RegExp(GINA.name) }).waitFor();
    await page.getByRole('heading', { name: 'Messages', level: 2 }).waitFor();
    await page.getByRole('heading', { name: 'Friends', level: 2 }).waitFor();

    // The server agrees: newest first, friend or not.
    const api = await apiGet(base, CONVERSATIONS_ROUTE, {}, DANA.token);
    assert.deepEqual(api.conversation_list.map((c) => c.user.id), expectedConversations().map((c) => c.peerId));
    assert.deepEqual(api.conversation_list.map((c) => c.last_message.content), expectedConversations().map((c) => c.content));
    await screenshotBoth(page, 'inbox-03-friends');

    // A new message from erin moves her to the top, without a reload.
    await page.evaluate(() => { window.__sameDocument = true; });
    const again = 'Are you there?';
    await message(ERIN, DANA, again);
    await waitForConversationIds(page, [ERIN.userId, FRANK.userId]);
    inbox = await readInbox(page);
    assert.equal(inbox.conversations[0].preview, again);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload happened');

    // Starting a chat with the friend nobody messaged: she moves from Friends to the top of Messages.
    await greet.getByRole('link', { name: new RegExp(GINA.name) }).click();
    await page.waitForURL(new RegExp(`#/chat/${GINA.userId}$`));
    await page.getByRole('heading', { name: 'No messages yet' }).waitFor();
    const first = `Hello ${GINA.name}!`;
    await page.getByRole('textbox', { name: 'Message' }).fill(first);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.locator('.message--mine:not(.is-pending)', { hasText: first }).waitFor();
    sent.push({ peerId: GINA.userId, content: first, mine: true });
    await page.getByRole('button', { name: 'Back' }).click();
    await page.waitForURL(/#\/inbox$/);
    await waitForConversationIds(page, [GINA.userId, ERIN.userId, FRANK.userId]);
    inbox = await readInbox(page);
    assert.equal(inbox.conversations[0].preview, `You: ${first}`);
    assert.deepEqual(inbox.friends, [], 'every friend has a conversation now');
    assert.equal(await page.getByRole('list', { name: 'Friends to message' }).count(), 0);
    for (const person of [ERIN, FRANK, GINA]) {
      assert.equal(await page.locator(`[data-user-id="${person.userId}"]`).count(), 1, `${person.name} appears once`);
    }
    assertClean();
  });

  test('older conversations page in with the keyboard, in order and without duplicates', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = dana;
    const fillers = [];
    for (let i = 0; i < FILLERS; i += 1) {
      fillers.push(await registerViaApi(base, `filler${i}_${suffix}`, 'filler-secret-1'));
    }
    for (const [i, filler] of fillers.entries()) await message(filler, DANA, `Message number ${i}`);
    const expected = expectedConversations().map((c) => c.peerId);
    assert.equal(expected.length, FILLERS + 3);
    const api = await apiGet(base, CONVERSATIONS_ROUTE, { limit: 100 }, DANA.token);
    assert.deepEqual(api.conversation_list.map((c) => c.user.id), expected, 'the server lists newest first');

    const firstPage = page.waitForRequest((r) => r.url().includes(CONVERSATIONS_ROUTE));
    await visit(page, base, '/inbox');
    const firstUrl = new URL((await firstPage).url());
    assert.equal(firstUrl.searchParams.get('limit'), String(PAGE_SIZE));
    assert.equal(firstUrl.searchParams.has('offset'), false);
    await waitForConversationIds(page, expected.slice(0, PAGE_SIZE));
    const older = page.getByRole('button', { name: 'Show older conversations' });
    await older.waitFor();
    await screenshot(page, 'inbox-04-first-page');

    // Keyboard: Enter on the button loads the rest and moves focus to the first new row.
    const nextPage = page.waitForRequest((r) => r.url().includes(CONVERSATIONS_ROUTE) && r.url().includes('offset='));
    await older.focus();
    await page.keyboard.press('Enter');
    const nextUrl = new URL((await nextPage).url());
    assert.equal(nextUrl.searchParams.get('offset'), String(PAGE_SIZE));
    assert.equal(nextUrl.searchParams.get('limit'), String(PAGE_SIZE));
    await waitForConversationIds(page, expected);
    await older.waitFor({ state: 'hidden' });
    const focusedRow = await page.evaluate(() => Number(document.activeElement?.closest('.conversation')?.dataset.userId));
    assert.equal(focusedRow, expected[PAGE_SIZE], 'focus is on the first row that came in');

    // Refreshes keep every row, once, in order.
    await page.waitForTimeout(6000);
    const inbox = await readInbox(page);
    assert.deepEqual(inbox.conversations.map((c) => c.userId), expected);
    assert.equal(new Set(inbox.conversations.map((c) => c.userId)).size, expected.length, 'no duplicates');

    // The token went in the header, never in the URL.
    const calls = dana.requests.filter((r) => r.url.includes(CONVERSATIONS_ROUTE));
    assert.ok(calls.length >= 2);
    for (const call of calls) {
      assert.equal(call.headers.authorization, `Bearer ${DANA.token}`);
      assert.ok(!call.url.includes(DANA.token) && !/[?&]token=/.test(call.url), call.url);
    }
    await screenshotBoth(page, 'inbox-05-all-pages');
    assertClean();
  });

  test('errors: a failed load offers a retry; a rate-limited older page counts down', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = dana;
    const expected = expectedConversations().map((c) => c.peerId);
    const isConversations = (url) => url.pathname === CONVERSATIONS_ROUTE;
    await page.route(isConversations, (route) => route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ status_code: 10500, status_msg: 'simulated failure', conversation_list: [] }),
    }));
    await visit(page, base, '/inbox');
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load this' });
    await alert.getByText('Simulated failure').waitFor();
    await screenshot(page, 'inbox-06-error');
    await page.unroute(isConversations);
    await alert.getByRole('button', { name: 'Try again' }).click();
    await waitForConversationIds(page, expected.slice(0, PAGE_SIZE));

    // The older page is refused for the read rate limit: the server's message, a countdown,
    // and the button disabled until the wait is over; then it works.
    const isOlderPage = (url) => isConversations(url) && url.searchParams.has('offset');
    await page.route(isOlderPage, (route) => route.fulfill({
      status: 429,
      headers: { 'Retry-After': '2' },
      contentType: 'application/json',
      body: JSON.stringify({ status_code: 10006, status_msg: 'too many reads: try again in 2 s', conversation_list: [] }),
    }));
    const older = page.getByRole('button', { name: 'Show older conversations' });
    await older.click();
    await page.getByRole('alert').filter({ hasText: 'Too many reads: try again in 2 s' }).waitFor();
    await page.getByRole('timer').filter({ hasText: /You can try again in \d s\./ }).waitFor();
    assert.equal(await older.isDisabled(), true, 'the button waits for the server');
    await screenshot(page, 'inbox-07-rate-limited');
    await page.waitForFunction(() => !document.querySelector('.inbox__older')?.disabled, null, { timeout: 5000 });
    await page.unroute(isOlderPage);
    await older.click();
    await waitForConversationIds(page, expected);
    assertClean([REFUSED_PAGE_LOG]);
  });
});
