// The Supabase CLI commands that apply this app's migrations to a hosted project, exactly as the
// README shows them ("6. Create the tables and policies"); doctor's fixes quote these same strings,
// and tests/unit/readme-commands.test.ts checks that the README has them verbatim.
// The trap: since CLI 3, `supabase db push` targets the LOCAL database unless given --remote. With
// the dev stack running it reports "up to date" and the hosted project stays empty.
export const LINK_PROJECT = 'npx supabase link --project-ref <project-ref>';
export const PUSH_TO_LINKED = 'npx supabase db push --remote';
export const PUSH_TO_URL = 'npx supabase db push --remote="$SUPABASE_DB_URL"';

/** How to (re-)apply the migrations where doctor looked: the local stack, or the hosted project. */
export const applyMigrations = (local: boolean) =>
  local
    ? '`npm run db:reset` (the local stack applies supabase/migrations)'
    : `\`${LINK_PROJECT}\` once, then \`${PUSH_TO_LINKED}\` (or \`${PUSH_TO_URL}\` without linking); README -> "6. Create the tables and policies"`;

/** The one command that re-applies a changed migration where doctor looked. */
export const pushCommand = (local: boolean) => (local ? '`npm run db:reset`' : `\`${PUSH_TO_LINKED}\``);
