// Starts a real minitok server on a free loopback port with a fresh data
// directory, and stops it again. Binary: $MINITOK_BIN or build/minitok.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const LISTENING = /^minitok listening on (http:\/\/\S+)\s*$/;

export function minitokBinary() {
  const configured = process.env.MINITOK_BIN || 'build/minitok';
  return path.isAbsolute(configured) ? configured : path.join(repoRoot, configured);
}

/**
 * Resolves { url, dataDir, configFile, logs(), stop() } once the server printed its address.
 * Options:
 *   config  an object for the server's JSON config file (e.g. { rate_limits: { comment:
 *           { burst: 2, refill_every_ms: 60000 } } }), written beside the data folder and
 *           passed as --config; flags still win over it (README, "Configuration")
 *   args    more arguments for `minitok serve`
 */
export async function startServer({ config, args = [] } = {}) {
  const bin = minitokBinary();
  if (!existsSync(bin)) throw new Error(`minitok binary not found at ${bin} (set MINITOK_BIN)`);
  // One temp folder per server holds its data folder and its config file, so that
  // stop() removes both and the config is never read from inside the data folder.
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'minitok-e2e-'));
  const dataDir = path.join(tempDir, 'data');
  await mkdir(dataDir);
  const serveArgs = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--no-demo'];
  let configFile = null;
  if (config !== undefined) {
    configFile = path.join(tempDir, 'config.json');
    await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
    serveArgs.push('--config', configFile);
  }
  serveArgs.push(...args);
  const child = spawn(bin, serveArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr.push(chunk);
    if (stderr.length > 2000) stderr.splice(0, stderr.length - 2000);
  });

  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`minitok did not print its address within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = LISTENING.exec(line);
      if (match) resolve(match[1].replace(/\/$/, ''));
      else reject(new Error(`unexpected first stdout line from minitok: ${JSON.stringify(line)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`minitok exited early (code ${code}, signal ${signal}):\n${stderr.join('')}`));
    });
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
  let url;
  try {
    url = await started;
  } catch (error) {
    // A server that never came up (a config it refused, say) leaves nothing behind.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    dataDir,
    configFile,
    logs: () => stderr.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        const result = await exited;
        clearTimeout(timer);
        await rm(tempDir, { recursive: true, force: true });
        return result;
      }
      await rm(tempDir, { recursive: true, force: true });
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}
