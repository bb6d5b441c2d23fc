// The signed-in user's notes, read through supabase-js as that user: row-level security returns their
// own rows only. Signed out: to the sign-in form.
import { auth } from '@clerk/nextjs/server';
import { supabaseForRequest } from '@/lib/supabase';

export default async function Home() {
  const { userId, redirectToSignIn } = await auth();
  if (!userId) return redirectToSignIn();
  const supabase = await supabaseForRequest();
  const { data, error } = await supabase.from('notes').select('id, body').order('id');
  return (
    <main>
      <h1>Notes of {userId}</h1>
      {error ? (
        <p id="error">{error.message}</p>
      ) : (
        <ul>
          {data.map((n) => (
            <li key={n.id}>{n.body}</li>
          ))}
        </ul>
      )}
    </main>
  );
}
