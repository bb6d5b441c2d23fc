// Peer baseline: GET /api/tasks as Clerk's Clerk + Supabase example writes it, on this project's pinned
// packages: auth() in the handler, a supabase-js client per request whose accessToken asks auth() again.
import { auth } from '@clerk/nextjs/server';
import { createClient } from '@supabase/supabase-js';

export async function GET() {
  const { userId } = await auth();
  if (!userId) return Response.json({ error: 'Unauthorized' }, { status: 401 });
  const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    async accessToken() {
      return (await auth()).getToken();
    },
  });
  const { data, error } = await supabase
    .from('tasks')
    .select('id, title, done, created_at, updated_at')
    .order('created_at', { ascending: false });
  if (error) return Response.json({ error: error.message }, { status: 500 });
  return Response.json({ tasks: data });
}
