// Starts a real minitok server on a free loopback port with a fresh data
// directory, and stops it again. Binary: $MINITOK_BIN or build/minitok.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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

/** Resolves { url, dataDir, logs(), stop() } once the server printed its address. */
export async function startServer() {
  const bin = minitokBinary();
  if (!existsSync(bin)) throw new Error(`minitok binary not found at ${bin} (set MINITOK_BIN)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'minitok-e2e-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--no-demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr.push(chunk);
    if (stderr.length > 2000) stderr.splice(0, stderr.length - 2000);
  });

  const url = await new Promise((resolve, reject) => {
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

  return {
    url,
    dataDir,
    logs: () => stderr.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        const result = await exited;
        clearTimeout(timer);
        await rm(dataDir, { recursive: true, force: true });
        return result;
      }
      await rm(dataDir, { recursive: true, force: true });
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}
