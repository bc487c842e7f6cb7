// UI steps and API checks shared by the specs.

import { readFile } from 'node:fs/promises';
import path from 'node:path';

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

/** Publish a file straight through the API (for extra feed content). */
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
