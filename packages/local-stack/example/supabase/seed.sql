insert into public.notes (owner_id, body) values
  ('user_alice', 'Alice''s own note'),
  ('user_bob', 'Bob''s note, not for Alice');
