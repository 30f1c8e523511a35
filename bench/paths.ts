// Paths in the repository, whether running from bench/ (vitest) or .bench-build/bench/ (tsc).
import { fileURLToPath } from 'node:url';

const fromBuild = import.meta.url.includes('/.bench-build/');

export const REPO_ROOT = fileURLToPath(new URL(fromBuild ? '../../' : '../', import.meta.url));
export const GOSSIPD_BIN = `${REPO_ROOT}bin/gossipd.js`;
export const RESULTS_DIR = `${REPO_ROOT}bench/results`;
