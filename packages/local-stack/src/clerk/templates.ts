// The local equivalent of the JWT templates you create in the Clerk Dashboard (its JWT templates
// page). The `supabase` template below is exactly what the guide tells you to paste there:
//
//   {
//     "role": "authenticated",
//     "aud": "authenticated",
//     "token_kind": "supabase-template",
//     "email": "{{user.primary_email_address}}",
//     "org_id": "{{org.id}}",
//     "org_role": "{{org.role}}",
//     "org_slug": "{{org.slug}}",
//     "plan": "{{user.public_metadata.plan}}"
//   }
//
// with "Custom signing key" on, signing algorithm HS256 and the Supabase project's JWT secret.
// Clerk adds `sub`, `iat`, `exp`, `nbf`, `iss` itself and drops claims whose shortcode is empty.
// `token_kind` is what tells the claim helpers this is the project's template and not another
// template of the same Clerk instance (supabase/migrations/20261123120100_claim_helpers.sql).
import type { TokenSubject } from './tokens.ts';

export interface JwtTemplate {
  lifetimeSeconds: number;
  claims(subject: TokenSubject): Record<string, unknown>;
}

export const jwtTemplates: Record<string, JwtTemplate> = {
  supabase: {
    lifetimeSeconds: 60,
    claims: (s) => ({
      role: 'authenticated',
      aud: 'authenticated',
      token_kind: 'supabase-template',
      ...(s.email ? { email: s.email } : {}),
      ...(s.org ? { org_id: s.org.id, org_role: `org:${s.org.role}`, org_slug: s.org.slug } : {}),
      ...(s.publicMetadata?.plan ? { plan: s.publicMetadata.plan } : {}),
    }),
  },
};
