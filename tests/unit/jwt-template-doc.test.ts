// The JWT template docs/jwt-template.md tells users to paste into Clerk is the one the local Clerk
// stand-in issues (local/clerk/templates.ts), claim for claim: the tests in template mode prove the
// documented template, including the token_kind claim the database's claim helpers require.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jwtTemplates } from 'clerk-supabase-local-stack';
import { projectRoot } from 'clerk-supabase-local-stack';

const documented = () => {
  const text = fs.readFileSync(path.join(projectRoot, 'docs/jwt-template.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(text)?.[1];
  expect(block, 'docs/jwt-template.md lost its template JSON block').toBeDefined();
  return JSON.parse(block!) as Record<string, string>;
};

describe('the documented JWT template', () => {
  it('has exactly the claims the local stand-in puts in a template token (for a user with org, email and plan)', () => {
    const issued = jwtTemplates.supabase.claims({
      userId: 'user_doc',
      sessionId: 'sess_doc',
      email: 'doc@example.test',
      org: { id: 'org_doc', slug: 'doc', role: 'admin' },
      publicMetadata: { plan: 'pro' },
    });
    expect(Object.keys(documented()).sort()).toEqual(Object.keys(issued).sort());
  });

  it('marks the token as the project template with the value the claim helpers check', () => {
    const migration = fs.readFileSync(path.join(projectRoot, 'supabase/migrations/20261123120100_claim_helpers.sql'), 'utf8');
    expect(documented().token_kind).toBe('supabase-template');
    expect(jwtTemplates.supabase.claims({ userId: 'user_doc', sessionId: 'sess_doc' }).token_kind).toBe('supabase-template');
    expect(migration).toContain(`c ->> 'token_kind' is distinct from 'supabase-template'`);
  });
});
