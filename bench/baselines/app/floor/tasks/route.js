// Floor baseline: the same route shape with no authentication at all and no proxy pass: the caller's
// token is forwarded to the data API as it came, and the answer wrapped as the app wraps it. What
// Next.js plus one fetch costs on this machine; nothing can serve GET /api/tasks for less.
const url = `${process.env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/tasks?select=id,title,done,created_at,updated_at&order=created_at.desc`;

export async function GET(req) {
  const res = await fetch(url, {
    headers: { apikey: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, authorization: req.headers.get('authorization') ?? '' },
  });
  if (!res.ok) return Response.json({ error: `data API ${res.status}` }, { status: res.status });
  return Response.json({ tasks: await res.json() });
}
