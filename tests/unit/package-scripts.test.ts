// Every npm script names things that exist: the vitest project it runs, the file node starts, the
// npm script it calls. (A script naming a vitest project that was renamed away failed only when run.)
// The install the guide describes is the one packages/local-stack/src/ensure-install.mjs performs. Every script is checked
// for at least the program it starts (an installed binary, node or npm).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from 'clerk-supabase-local-stack';
import { guide, readme } from '../support/readme.ts';

const scripts = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const vitestProjects = [...fs.readFileSync(path.join(projectRoot, 'vitest.config.ts'), 'utf8').matchAll(/name: '([\w-]+)'/g)].map(
  (m) => m[1],
);
const runSteps = [...fs.readFileSync(path.join(projectRoot, 'tests/run.ts'), 'utf8').matchAll(/step\('([\w-]+)'/g)].map((m) => m[1]);

describe('package.json scripts', () => {
  it.each(Object.entries(scripts))('%s names things that exist', (name, command) => {
    // Every script is checked for something: at least the program it starts.
    expect.hasAssertions();
    for (const part of command.split('&&').map((c) => c.trim())) {
      const program = part.split(/\s+/)[0];
      // node starts a file of this project and npm runs a script (both checked for existence below).
      if (program === 'node') expect(part, name).toMatch(/^node [\w./-]+\.(?:ts|mjs|js)\b/);
      else if (program === 'npm') expect(part, name).toMatch(/^npm run [\w:-]+/);
      else
        expect(
          fs.existsSync(path.join(projectRoot, 'node_modules/.bin', program)),
          `${name}: ${program} is installed (node_modules/.bin)`,
        ).toBe(true);
    }
    for (const m of command.matchAll(/--project[ =]([\w-]+)/g)) expect(vitestProjects, `${name}: vitest project ${m[1]}`).toContain(m[1]);
    for (const m of command.matchAll(/(?:^|&&\s*)node ([\w./-]+\.(?:ts|mjs|js))/g))
      expect(fs.existsSync(path.join(projectRoot, m[1])), `${name}: ${m[1]}`).toBe(true);
    for (const m of command.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts), `${name}: npm run ${m[1]}`).toContain(m[1]);
    const only = /tests\/run\.ts --only ([\w,-]+)/.exec(command);
    for (const step of only?.[1].split(',') ?? []) expect(runSteps, `${name}: tests/run.ts step ${step}`).toContain(step);
  });

  it('the guide and packages/local-stack/src/ensure-install.mjs agree: npm install, never a promise of npm ci', () => {
    const installer = fs.readFileSync(path.join(projectRoot, 'packages/local-stack/src/ensure-install.mjs'), 'utf8');
    expect(installer).toMatch(/execSync\('npm install /);
    expect(installer).not.toMatch(/execSync\('npm ci/);
    expect(readme()).toMatch(/runs `npm install` when `node_modules` is missing/);
    expect(guide()).not.toMatch(/runs `npm ci`/);
  });
});
