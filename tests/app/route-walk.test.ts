// Deny by default, without a path list: every page, route handler and server action in the production
// build is called signed out and must refuse on its own (pages redirect to sign-in and come back, the
// API answers 401 JSON, actions return the signed-out error). A page, route or action added without a
// session check fails here; tests/unit/route-walk.test.ts shows the walk catching one.
import { describe, expect, it } from 'vitest';
import { builtApp, findUnprotected } from '../support/route-walk.ts';

const distDir = process.env.APP_DIST_DIR ?? '.next';
const MODES = [
  ['third-party', process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100'],
  ['template', process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101'],
] as const;

describe('route walk (signed out)', () => {
  it('finds every page, route and action of the build', () => {
    const app = builtApp(distDir);
    expect(app.pages).toEqual(expect.arrayContaining(['/dashboard', '/org', '/']));
    expect(app.routes).toEqual(expect.arrayContaining(['/api/tasks', '/api/tasks/[id]', '/api/me', '/api/projects']));
    expect(app.actions.map((a) => a.name).sort()).toEqual(
      expect.arrayContaining(['addProject', 'addTask', 'deleteProject', 'deleteTask', 'renameTask', 'toggleTask']),
    );
  });

  it.each(MODES)('%s mode: every non-public resource refuses a signed-out caller', async (_mode, appUrl) => {
    expect(await findUnprotected(appUrl, builtApp(distDir))).toEqual([]);
  });
});
