// The alternative the app measured and did not choose (docs/performance.md): /api in the proxy matcher,
// clerkMiddleware with the app's options, auth() in the handler, a supabase-js client per request
// carrying the session's getToken: the app's GET /api/tasks as it was before the handler authenticated.
import { auth } from '@clerk/nextjs/server';
import { createClient } from '@supabase/supabase-js';

export async function GET() {
  const session = await auth();
  if (!session.userId) return Response.json({ error: 'Sign in first.' }, { status: 401 });
  const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    accessToken: async () => session.getToken(),
    db: { retry: false },
  });
  const { data, error } = await supabase
    .from('tasks')
    .select('id, title, done, created_at, updated_at')
    .order('created_at', { ascending: false });
  if (error) return Response.json({ error: error.message }, { status: 503 });
  return Response.json({ tasks: data });
}
