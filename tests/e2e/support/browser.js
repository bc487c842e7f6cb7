// Chromium (Debian's, never a downloaded one) and browser contexts that
// record every console error, page error and request to a non-loopback host.

import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { screenshotDir } from './paths.js';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

function isLocal(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
}

/**
 * A context whose pages are watched. Returns { context, page, problems, requests }:
 * problems collects console errors, uncaught errors and external requests;
 * requests collects { url, headers } of every request made.
 */
export async function openGuardedContext(browser, { viewport, label, mobile = false }) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const problems = [];
  const requests = [];
  await context.route((url) => !isLocal(url.href), (route) => {
    problems.push(`[${label}] request to a non-loopback host: ${route.request().url()}`);
    return route.abort();
  });
  context.on('request', (request) => requests.push({ url: request.url(), headers: request.headers() }));
  context.on('page', (page) => watchPage(page, label, problems));
  const page = await context.newPage();
  return { context, page, problems, requests, label };
}

function watchPage(page, label, problems) {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`[${label}] console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`[${label}] uncaught error: ${error.message}`));
  page.on('crash', () => problems.push(`[${label}] page crashed`));
}

/** Save a full-viewport screenshot as build/e2e-screenshots/<name>-<w>x<h>.png. */
export async function screenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  const { width, height } = page.viewportSize();
  const file = path.join(screenshotDir, `${name}-${width}x${height}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'initial' });
  return file;
}

/** Screenshot at the current size and at the other reference size (phone <-> desktop). */
export async function screenshotBoth(page, name, { settle = 400 } = {}) {
  const original = page.viewportSize();
  await screenshot(page, name);
  const other = original.width === PHONE.width ? DESKTOP : PHONE;
  await page.setViewportSize(other);
  await page.waitForTimeout(settle);
  await screenshot(page, name);
  await page.setViewportSize(original);
  await page.waitForTimeout(settle);
}

/** Closes the contexts and the browser, then stops the server; a non-zero exit on SIGTERM is reported. */
export async function closeAll({ contexts = [], browser, server }) {
  await Promise.all(contexts.filter(Boolean).map((c) => c.context.close().catch(() => {})));
  await browser?.close();
  const stopped = await server?.stop();
  if (stopped && stopped.code !== 0 && stopped.signal === null) {
    process.stderr.write(`minitok exited with code ${stopped.code} on SIGTERM\n`);
  }
}
