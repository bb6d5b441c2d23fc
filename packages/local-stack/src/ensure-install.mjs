// Runs before `npm run dev` and `npm test` (pre-scripts), on whatever Node the machine has (plain
// JavaScript, no dependencies): installs node_modules when it is missing or older than the lockfile,
// so a fresh clone needs no third command. The project's own Node 24 (npm package `node`) is part of
// that install; every later script runs on it through node_modules/.bin.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The app's folder: npm runs its pre-scripts there (`node packages/local-stack/src/ensure-install.mjs`).
const root = process.cwd();
const lock = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const nodeBin = path.join(root, 'node_modules', '.bin', 'node');

const stale =
  !fs.existsSync(marker) ||
  !fs.existsSync(nodeBin) ||
  (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000);

if (stale) {
  console.log('Installing dependencies (node_modules is missing or older than package-lock.json)...');
  // `npm install`, not `npm ci`: the lockfile holds only the platform binaries this registry serves
  // (next, supabase and postgrest ship one optional package per OS), and `npm ci` refuses a lockfile
  // that lacks the other platforms' entries. With the lockfile in sync it installs exactly what it pins.
  execSync('npm install --no-audit --no-fund --loglevel=error', { cwd: root, stdio: 'inherit' });
}
