// Shown beside the sign-in and sign-up forms when the app runs against the local stack
// (LOCAL_STACK is set), so nobody has to look the seeded accounts up. Never rendered in production.
const ACCOUNTS = [
  { email: 'alice@example.test', note: 'Acme admin' },
  { email: 'bob@example.test', note: 'Acme member' },
  { email: 'carol@example.test', note: 'Globex admin' },
];

export function LocalAccounts() {
  if (!process.env.LOCAL_STACK) return null;
  return (
    <aside className="card local-accounts" aria-labelledby="local-accounts-title">
      <h2 id="local-accounts-title">Local accounts</h2>
      <p>This app is running against the local stack. Sign in as:</p>
      <ul>
        {ACCOUNTS.map((a) => (
          <li key={a.email}>
            <code>{a.email}</code> <span className="muted">({a.note})</span>
          </li>
        ))}
      </ul>
      <p>
        Password: <code>clerk-local-password</code>
      </p>
    </aside>
  );
}
