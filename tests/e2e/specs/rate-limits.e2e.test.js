// End-to-end: an action over its rate limit, in the browser client. The server
// runs with the comment limit at a burst of 2 and one more a minute, so the
// third comment in a row is refused (HTTP 429, Retry-After, the API envelope).
// The comments panel must show the server's message with a live "try again in
// N s" countdown, keep the Post button disabled, and keep the refused text.
//
// Like client.e2e.test.js: a console error, an uncaught error or a request to a
// non-loopback host fails the run (except the one refused request, below);
// screenshots go to build/e2e-screenshots/.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { closeAll, launchBrowser, openGuardedContext, screenshotBoth, PHONE } from '../support/browser.js';
import { makeTestVideo } from '../support/media.js';
import { visit, signUpViaUi, apiGet, publishViaApi, waitUntilReady, activeVideo } from '../support/app.js';

const STEP_TIMEOUT = 120_000;
const COMMENT_BURST = 2;
const COMMENT_REFILL_MS = 60_000; // far longer than the test: the third comment cannot slip through
const suffix = Date.now().toString(36).slice(-5);
const CAROL = { name: `carol_${suffix}`, password: 'carol-secret-1' };
const COMMENTS = ['First comment', 'Second comment', 'Third comment, one too many'];
const RESOURCE_EXHAUSTED = 10006; // the API's status_code of a rate-limited request

// Chromium logs every HTTP error answer as a console error ("Failed to load resource: the
// server responded with a status of 429 (Too Many Requests)", at the resource's URL). The
// refused comment is expected to produce exactly that; any other console error still fails.
const REFUSED_COMMENT_LOG = /console error: Failed to load resource: .*\b429\b.*\/douyin\/comment\/action/;

describe('minitok web client under rate limits', () => {
  let server;
  let browser;
  let carol; // { context, page, problems, requests }
  let videoFile;
  let base;

  before(async () => {
    [server, browser, videoFile] = await Promise.all([
      startServer({ config: { rate_limits: { comment: { burst: COMMENT_BURST, refill_every_ms: COMMENT_REFILL_MS } } } }),
      launchBrowser(),
      makeTestVideo('limits.mp4', { seconds: 2, size: '160x120' }),
    ]);
    base = server.url;
    carol = await openGuardedContext(browser, { viewport: PHONE, label: 'carol/phone', mobile: true });
  });

  after(() => closeAll({ contexts: [carol], browser, server }));

  /** Fail the step on any browser problem, but for those matching one of `expected` (each at most once). */
  function assertClean(who, expected = []) {
    const unexpected = [];
    const left = [...expected];
    for (const problem of who.problems.splice(0)) {
      const index = left.findIndex((pattern) => pattern.test(problem));
      if (index === -1) unexpected.push(problem);
      else left.splice(index, 1);
    }
    assert.deepEqual(unexpected, [], `browser problems:\n${unexpected.join('\n')}`);
  }

  test('the third comment within the limit is refused with the server\'s message and a live countdown', { timeout: STEP_TIMEOUT }, async () => {
    const { page } = carol;
    Object.assign(CAROL, await signUpViaUi(page, base, CAROL.name, CAROL.password));
    const videoId = Number((await publishViaApi(base, CAROL.token, videoFile, `Limits ${suffix}`)).video_id);
    assert.ok(videoId > 0, 'publish answers video_id');
    await waitUntilReady(base, CAROL, [videoId]);

    await visit(page, base, '/feed');
    const slide = activeVideo(page);
    await slide.waitFor();
    assert.equal(await slide.getAttribute('data-video-id'), String(videoId));
    await slide.getByRole('button', { name: /^Comments/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('No comments yet').waitFor();
    const input = dialog.getByRole('textbox', { name: 'Add a comment' });
    const send = dialog.getByRole('button', { name: 'Post comment' });

    // Within the burst: both comments go through.
    for (const text of COMMENTS.slice(0, COMMENT_BURST)) {
      await input.fill(text);
      await input.press('Enter');
      await dialog.locator('.comment', { hasText: text }).waitFor();
    }
    assert.equal(await send.isDisabled(), false, 'Post is enabled while under the limit');

    // One too many: the server answers 429 with an honest Retry-After.
    const refusedText = COMMENTS[COMMENT_BURST];
    const answer = page.waitForResponse((r) => r.url().includes('/douyin/comment/action') && r.request().method() === 'POST');
    await input.fill(refusedText);
    await input.press('Enter');
    const refused = await answer;
    assert.equal(refused.status(), 429);
    const retryAfter = refused.headers()['retry-after'] ?? '';
    assert.match(retryAfter, /^\d+$/, 'Retry-After is whole seconds');
    assert.ok(Number(retryAfter) > 0 && Number(retryAfter) <= COMMENT_REFILL_MS / 1000, `Retry-After: ${retryAfter}`);
    const envelope = await refused.json();
    assert.equal(envelope.status_code, RESOURCE_EXHAUSTED, JSON.stringify(envelope));
    assert.match(envelope.status_msg, /^Too many comments/, JSON.stringify(envelope));

    // The panel shows the server's message and when the comment will go through.
    const notice = dialog.locator('.rate-limit');
    const message = notice.getByRole('alert');
    await message.waitFor();
    assert.equal((await message.innerText()).trim(), envelope.status_msg);
    const countdown = notice.getByRole('timer');
    const hint = /^You can try again in (\d+) s\.$/;
    const first = (await countdown.innerText()).trim();
    assert.match(first, hint);
    const shownSeconds = Number(hint.exec(first)[1]);
    assert.ok(shownSeconds >= 1 && shownSeconds <= Number(retryAfter), `countdown ${shownSeconds} s, Retry-After ${retryAfter} s`);
    assert.equal(await send.isDisabled(), true, 'Post stays disabled during the wait');
    assert.equal(await input.inputValue(), refusedText, 'the refused comment stays in the input');
    assert.equal(await dialog.locator('.comment', { hasText: refusedText }).count(), 0, 'the refused comment is not listed');
    await dialog.getByRole('heading', { name: `${COMMENT_BURST} comments` }).waitFor();
    await screenshotBoth(page, '30-comment-rate-limited');

    // The countdown is live (it moves every second), and Post is still disabled meanwhile.
    await page.waitForFunction(([before, pattern]) => {
      const match = new RegExp(pattern).exec(document.querySelector('dialog .rate-limit .retry-hint')?.textContent ?? '');
      return match !== null && Number(match[1]) < before;
    }, [shownSeconds, hint.source], { timeout: 5_000 });
    assert.equal(await send.isDisabled(), true, 'Post is still disabled while the countdown runs');

    // The server kept exactly the two comments within the limit, newest first.
    const list = await apiGet(base, '/douyin/comment/list/', { video_id: videoId }, CAROL.token);
    assert.deepEqual(list.comment_list.map((c) => c.content), COMMENTS.slice(0, COMMENT_BURST).reverse());
    assertClean(carol, [REFUSED_COMMENT_LOG]);
  });
});
