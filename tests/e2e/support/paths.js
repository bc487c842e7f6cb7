// Locations used by the suite.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const repoRoot = path.resolve(here, '..', '..', '..');
export const screenshotDir = path.join(repoRoot, 'build', 'e2e-screenshots');
