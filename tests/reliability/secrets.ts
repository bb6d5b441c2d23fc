// Secrets stay on the server: the production client bundle holds no server key (read from the local
// keys file, so the scan looks for the real values), and the app servers' logs never print a token
// that was sent to them during this run.
import fs from 'node:fs';
import path from 'node:path';
import { keysFile } from 'clerk-supabase-local-stack';
import { check, type CheckResult, type Ctx } from './harness.ts';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export function runSecrets(ctx: Ctx): { checks: CheckResult[]; scannedFiles: number } {
  const checks: CheckResult[] = [];
  const keys = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as Record<string, unknown> & {
    privateKeyPem: string;
    publicJwk: Record<string, string>;
  };
  // The private key's body (PEM lines without the armour) and its JWK private parts, each as they could appear.
  const pemBody = keys.privateKeyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const secrets: Record<string, string> = {
    'Supabase secret key (sb_secret_)': String(keys.supabaseSecretKey),
    'service_role JWT': String(keys.serviceRoleJwt),
    'Supabase JWT secret': String(keys.jwtSecret),
    'Clerk secret key (sk_)': String(keys.clerkSecretKey),
    'Clerk webhook signing secret': String(keys.webhookSecret),
    'local private key (PEM body, first 64 chars)': pemBody.slice(0, 64),
    'local private key (PEM line)': keys.privateKeyPem.split('\n')[1] ?? '',
  };
  const staticDir = path.join(ctx.distDir, 'static');
  const files = filesUnder(staticDir).filter((f) => /\.(js|mjs|css|html|json|map|txt)$/.test(f));
  const found: string[] = [];
  let publishableSeen = false;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const [name, value] of Object.entries(secrets))
      if (value && text.includes(value)) found.push(`${name} in ${path.relative(ctx.distDir, f)}`);
    if (/sb_secret_[A-Za-z0-9_-]{8}|sk_(test|live)_[A-Za-z0-9]{10}|whsec_[A-Za-z0-9+/=]{10}|-----BEGIN (RSA )?PRIVATE KEY-----/.test(text))
      found.push(`a secret-shaped string in ${path.relative(ctx.distDir, f)}`);
    if (text.includes(String(keys.supabasePublishableKey))) publishableSeen = true;
  }
  checks.push(
    check(
      'secrets: the scan reads the real client bundle (the publishable key is in it, as it should be)',
      files.length > 0 && publishableSeen,
      `${files.length} files under ${path.relative(process.cwd(), staticDir)}`,
    ),
  );
  checks.push(
    check(
      'secrets: the client bundle holds no secret key, JWT secret or private key',
      files.length > 0 && found.length === 0,
      found.slice(0, 5).join('; '),
    ),
  );

  // Every token this run sent, and anything shaped like a JWT, must be absent from the servers' logs.
  const logs = filesUnder(ctx.logsDir).filter((f) => /app-.*\.log$/.test(f));
  const leaked: string[] = [];
  for (const f of logs) {
    const text = fs.readFileSync(f, 'utf8');
    for (const t of ctx.tokens) {
      const signature = t.split('.')[2] ?? '';
      if (text.includes(t) || (signature.length >= 16 && text.includes(signature)))
        leaked.push(`a token sent by this run in ${path.basename(f)}`);
    }
    const jwts = text.match(/eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/g) ?? [];
    if (jwts.length) leaked.push(`${jwts.length} JWT-shaped strings in ${path.basename(f)}`);
    for (const [name, value] of Object.entries(secrets)) if (value && text.includes(value)) leaked.push(`${name} in ${path.basename(f)}`);
  }
  checks.push(
    check(
      `secrets: the app servers' logs print none of the ${ctx.tokens.size} tokens sent and no secret`,
      logs.length > 0 && ctx.tokens.size > 0 && leaked.length === 0,
      leaked.length ? [...new Set(leaked)].slice(0, 5).join('; ') : `${logs.length} logs read`,
    ),
  );
  return { checks, scannedFiles: files.length };
}
