// End-to-end: the sign-up form holds usernames and passwords to the server's
// limit (32 characters, counted in code points), and like counts read as
// English ("Like, 1 like", "Like, 2 likes") to screen readers.
//
// Like client.e2e.test.js: a console error, an uncaught error or a request to a
// non-loopback host fails the run; screenshots go to build/e2e-screenshots/.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { closeAll, launchBrowser, openGuardedContext, screenshot, DESKTOP } from '../support/browser.js';
import { makeTestVideo } from '../support/media.js';
import {
  visit, registerViaApi, storedSession, apiGet, apiPost, publishViaApi, waitUntilReady, activeVideo,
} from '../support/app.js';

const STEP_TIMEOUT = 120_000;
const MAX_CHARS = 32; // the server's limit for usernames and passwords
const suffix = Date.now().toString(36).slice(-5);
// Exactly 32 code points, "é" being two bytes in UTF-8: the limit counts characters, not bytes.
const LONG_NAME = `lim_${suffix}_`.padEnd(MAX_CHARS, 'é');
const LONG_PASSWORD = 'p'.repeat(MAX_CHARS);
const HAL = { name: `hal_${suffix}`, password: 'hal-secret-1' }; // publishes the video, likes it too
const TITLE = `Likes ${suffix}`;

describe('minitok sign-up limits and like labels', () => {
  let server;
  let browser;
  let ivy; // { context, page, problems, requests }: the person in the browser
  let videoFile;
  let base;
  const IVY = {};

  before(async () => {
    [server, browser, videoFile] = await Promise.all([
      startServer(),
      launchBrowser(),
      makeTestVideo('likes.mp4', { seconds: 2, size: '160x120' }),
    ]);
    base = server.url;
    ivy = await openGuardedContext(browser, { viewport: DESKTOP, label: 'ivy/desktop' });
  });

  after(() => closeAll({ contexts: [ivy], browser, server }));

  function assertClean() {
    const problems = ivy.problems.splice(0);
    assert.deepEqual(problems, [], `browser problems:\n${problems.join('\n')}`);
  }

  const authRequests = () => ivy.requests.filter((r) => /\/douyin\/user\/(register|login)\//.test(r.url)).length;

  /** Put `value` in an input as autofill or a script would, past its maxlength. */
  async function setValue(locator, value) {
    await locator.evaluate((input, text) => {
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }

  test('sign-up fields stop at 32 characters, longer values are refused with a message, 32 is accepted', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = ivy;
    await visit(page, base, '/signup');
    const username = page.getByLabel('Username', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    const submit = page.getByRole('button', { name: 'Sign up', exact: true });
    assert.equal(await username.getAttribute('maxlength'), String(MAX_CHARS));
    assert.equal(await password.getAttribute('maxlength'), String(MAX_CHARS));
    // The hints that state the limit are the fields' descriptions.
    const describedBy = await username.getAttribute('aria-describedby');
    const hint = await page.locator(`#${describedBy.split(' ')[0]}`).innerText();
    assert.match(hint, /1–32 characters/);

    // Typing stops at the limit.
    await username.pressSequentially('u'.repeat(MAX_CHARS + 8));
    await password.pressSequentially('p'.repeat(MAX_CHARS + 8));
    assert.equal((await username.inputValue()).length, MAX_CHARS);
    assert.equal((await password.inputValue()).length, MAX_CHARS);

    // A longer value that got in anyway is refused before anything is sent.
    const before = authRequests();
    await setValue(username, 'ü'.repeat(MAX_CHARS + 1));
    await submit.click();
    const alert = page.getByRole('alert');
    await alert.getByText('Usernames are at most 32 characters; this one has 33.').waitFor();
    assert.equal(await username.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'auth-username', 'focus goes to the field to fix');
    await screenshot(page, 'limits-01-signup-too-long');
    await username.fill('fine');
    assert.equal(await username.getAttribute('aria-invalid'), null, 'editing the field clears its error mark');
    await setValue(password, 'p'.repeat(MAX_CHARS + 3));
    await submit.click();
    await alert.getByText('Passwords are at most 32 characters; this one has 35.').waitFor();
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.equal(authRequests(), before, 'nothing was sent for the refused values');

    // Exactly 32 characters each: the server takes them.
    await username.fill('');
    await username.pressSequentially(LONG_NAME);
    await password.fill('');
    await password.pressSequentially(LONG_PASSWORD);
    assert.equal(await username.inputValue(), LONG_NAME);
    await submit.click();
    await page.waitForURL(/#\/feed$/);
    Object.assign(IVY, await storedSession(page));
    const me = await apiGet(base, '/douyin/user/', {}, IVY.token);
    assert.equal(me.user.name, LONG_NAME);
    assertClean();
  });

  test('the login form checks the same limit before sending, without cutting a name short', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = ivy;
    await page.evaluate(() => localStorage.clear());
    await visit(page, base, '/login');
    await page.reload();
    const username = page.getByLabel('Username', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    // maxlength counts UTF-16 units: 64 holds the longest possible name (32 emoji).
    assert.equal(await username.getAttribute('maxlength'), String(MAX_CHARS * 2));
    const before = authRequests();
    await username.fill('x'.repeat(MAX_CHARS + 1));
    await password.fill('whatever');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('alert').getByText('Usernames are at most 32 characters; this one has 33.').waitFor();
    assert.equal(authRequests(), before, 'nothing was sent');

    await username.fill(LONG_NAME);
    await password.fill(LONG_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(/#\/feed$/);
    Object.assign(IVY, await storedSession(page));
    assertClean();
  });

  test('the like button reads "Like, 1 like" and "Like, 2 likes", liked or not', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = ivy;
    Object.assign(HAL, await registerViaApi(base, HAL.name, HAL.password));
    const videoId = Number((await publishViaApi(base, HAL.token, videoFile, TITLE)).video_id);
    await waitUntilReady(base, HAL, [videoId]);

    await visit(page, base, '/feed');
    const slide = activeVideo(page);
    await slide.waitFor();
    assert.equal(await slide.getAttribute('data-video-id'), String(videoId));
    const like = slide.locator('.action--like');
    const expectLike = async (label, pressed) => {
      await slide.getByRole('button', { name: label, exact: true, pressed }).waitFor();
      assert.equal(await like.getAttribute('aria-label'), label);
    };
    await expectLike('Like, 0 likes', false);
    // The label changes at once (optimistic like); the server's answer is awaited before its
    // count is read or the page reloaded.
    const likeAnswer = () => page.waitForResponse((r) => r.url().includes('/douyin/favorite/action/'));

    let answered = likeAnswer();
    await like.click();
    await expectLike('Like, 1 like', true);
    assert.equal((await (await answered).json()).status_code, 0);

    // hal likes it too: two likes, still liked by ivy.
    await apiPost(base, '/douyin/favorite/action/', { video_id: videoId, action_type: 1 }, HAL.token);
    await visit(page, base, '/feed');
    await slide.waitFor();
    await expectLike('Like, 2 likes', true);
    await screenshot(page, 'limits-02-two-likes');

    // Unliked: one like left, not pressed.
    answered = likeAnswer();
    await like.click();
    await expectLike('Like, 1 like', false);
    assert.equal((await (await answered).json()).status_code, 0);
    const list = await apiGet(base, '/douyin/publish/list/', { user_id: HAL.userId }, HAL.token);
    assert.equal(list.video_list[0].favorite_count, 1);

    // The profile grid and stats say it the same way.
    await visit(page, base, `/user/${HAL.userId}`);
    await page.getByRole('link', { name: `${TITLE}, 1 like`, exact: true }).waitFor();
    await page.locator('.profile__stats').getByText('Like', { exact: true }).waitFor();
    assertClean();
  });
});
