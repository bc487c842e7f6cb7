// UI steps and API checks shared by the specs.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Open an app route; reloads when the page is already there (a same-hash goto is a no-op). */
export async function visit(page, baseUrl, hashPath) {
  const target = `${baseUrl}/#${hashPath}`;
  if (page.url() === target) await page.reload();
  else await page.goto(target);
}

/** Sign up through the UI; resolves { userId, token } read from localStorage. */
export async function signUpViaUi(page, baseUrl, username, password) {
  await page.goto(`${baseUrl}/#/signup`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.waitForURL(/#\/feed$/);
  return storedSession(page);
}

/** Log in through the UI from the login page. */
export async function logInViaUi(page, baseUrl, username, password) {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

export async function storedSession(page) {
  const raw = await page.evaluate(() => localStorage.getItem('minitok.session'));
  const parsed = JSON.parse(raw ?? 'null');
  if (!parsed?.token) throw new Error('no session in localStorage after sign-up');
  return { userId: Number(parsed.userId), token: parsed.token };
}

/** Create an account through the API (no browser); resolves { userId, token }. */
export async function registerViaApi(baseUrl, username, password) {
  const response = await fetch(new URL('/douyin/user/register/', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  const body = await response.json();
  if (body.status_code !== 0) throw new Error(`register ${username} failed: ${JSON.stringify(body)}`);
  return { userId: Number(body.user_id), token: body.token };
}

/** GET an API route as `token` and return the parsed envelope (asserting status_code 0). */
export async function apiGet(baseUrl, route, params = {}, token = '') {
  const url = new URL(route, baseUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const body = await response.json();
  if (body.status_code !== 0) throw new Error(`${route} failed: ${JSON.stringify(body)}`);
  return body;
}

/** POST an API action as `token` with a urlencoded body (asserting status_code 0). */
export async function apiPost(baseUrl, route, params, token) {
  const response = await fetch(new URL(route, baseUrl), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])),
  });
  const body = await response.json();
  if (body.status_code !== 0) throw new Error(`${route} failed: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Publish a file straight through the API (for extra content). The answer comes before the video
 * is processed: it is in its author's publish list only, until waitUntilReady() says otherwise.
 */
export async function publishViaApi(baseUrl, token, file, title) {
  const form = new FormData();
  form.append('title', title);
  form.append('data', new Blob([await readFile(file)], { type: 'video/mp4' }), path.basename(file));
  const response = await fetch(new URL('/douyin/publish/action/', baseUrl), {
    method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  if (body.status_code !== 0) throw new Error(`publish failed: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Publish `uploads` ([{ file, title }]) as `author` ({ token }), `concurrency` requests at a time.
 * Resolves the video ids in the order of `uploads`.
 */
export async function publishAll(baseUrl, author, uploads, { concurrency = 1 } = {}) {
  const ids = new Array(uploads.length);
  let next = 0;
  const worker = async () => {
    while (next < uploads.length) {
      const index = next;
      next += 1;
      const body = await publishViaApi(baseUrl, author.token, uploads[index].file, uploads[index].title);
      if (!(Number(body.video_id) > 0)) throw new Error(`publish answered no video_id: ${JSON.stringify(body)}`);
      ids[index] = Number(body.video_id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, uploads.length) }, worker));
  return ids;
}

/**
 * Poll the author's own publish list (with the author's token, the only view that shows videos
 * still processing) until every one of `videoIds` is `ready`. Fails at once if one of them is
 * missing from that list or `failed`, and after `timeout` ms with the states last seen.
 * Resolves a Map id -> video as the author's list shows it when ready.
 */
export async function waitUntilReady(baseUrl, author, videoIds, { timeout = 60_000, interval = 100 } = {}) {
  const wanted = new Set(videoIds.map(Number));
  const deadline = Date.now() + timeout;
  for (;;) {
    const { video_list: list } = await apiGet(baseUrl, '/douyin/publish/list/', { user_id: author.userId }, author.token);
    const seen = list.filter((v) => wanted.has(v.id));
    const missing = [...wanted].filter((id) => !seen.some((v) => v.id === id));
    if (missing.length) throw new Error(`video(s) ${missing.join(', ')} not in their author's publish list`);
    const failed = seen.filter((v) => v.state === 'failed');
    if (failed.length) {
      throw new Error(`video(s) failed processing: ${failed.map((v) => `${v.id} (${v.state_reason})`).join(', ')}`);
    }
    if (seen.every((v) => v.state === 'ready')) return new Map(seen.map((v) => [v.id, v]));
    if (Date.now() > deadline) {
      const pending = seen.filter((v) => v.state !== 'ready').map((v) => `${v.id}: ${v.state} "${v.state_reason}"`);
      throw new Error(`not ready within ${timeout} ms: ${pending.join('; ')}`);
    }
    await sleep(interval);
  }
}

/** Wait until the active slide's <video> is really playing (time advances, not paused). */
export async function waitForPlayback(page, { timeout = 20_000 } = {}) {
  const first = await page.waitForFunction(() => {
    const video = document.querySelector('.slide.is-active video');
    return video && !video.paused && video.readyState >= 2 && video.currentTime > 0.2 ? video.currentTime : false;
  }, null, { timeout, polling: 100 });
  const t0 = await first.jsonValue();
  await page.waitForFunction((start) => {
    const video = document.querySelector('.slide.is-active video');
    return video && !video.paused && video.currentTime !== start;
  }, t0, { timeout, polling: 100 });
}

export function activeVideo(page) {
  return page.locator('.slide.is-active');
}
