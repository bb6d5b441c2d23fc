// Local stack only: delete this file when copying the app (and its line in the sign-in and sign-up
// pages). With `npm run dev` the stack sets LOCAL_STACK_ACCOUNTS and LOCAL_STACK_PASSWORD, and the
// seeded accounts are listed beside Clerk's form; anywhere else it renders nothing.
export function LocalStackAccounts() {
  const accounts = process.env.LOCAL_STACK_ACCOUNTS?.split('; ').filter(Boolean);
  if (!process.env.LOCAL_STACK || !accounts?.length) return null;
  return (
    <aside className="card local-accounts" aria-labelledby="local-accounts-title">
      <h2 id="local-accounts-title">Local accounts</h2>
      <p>This app is running against the local stack. Sign in as:</p>
      <ul>
        {accounts.map((account) => (
          <li key={account}>
            <code>{account.replace(/ \(.*\)$/, '')}</code> <span className="muted">{/ \(.*\)$/.exec(account)?.[0]}</span>
          </li>
        ))}
      </ul>
      <p>
        Password: <code>{process.env.LOCAL_STACK_PASSWORD}</code>
      </p>
    </aside>
  );
}
