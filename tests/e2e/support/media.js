// Generates a small real H.264/AAC MP4 with ffmpeg for uploads.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const run = promisify(execFile);

// The generated videos live until the test process ends, then go with it.
const madeDirs = new Set();
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** Path to a fresh test video (default 3 s, 320x240, testsrc pattern + sine tone). */
export async function makeTestVideo(name = 'clip.mp4', { seconds = 3, pattern = 'testsrc', size = '320x240' } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minitok-e2e-media-'));
  madeDirs.add(dir);
  const file = path.join(dir, name);
  await run('ffmpeg', [
    '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `${pattern}=size=${size}:rate=25`,
    '-f', 'lavfi', '-i', 'sine',
    '-t', String(seconds),
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    file,
  ]);
  return file;
}
