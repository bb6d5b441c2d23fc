// Local instance keys, generated once into `.local/keys.json` (git-ignored). They play the parts of
// the Clerk instance keys (RSA-2048 signing key, pk_/sk_ keys, webhook secret) and of the Supabase
// project keys (JWT secret, publishable/secret API keys). Nothing here is valid anywhere but on
// this machine, and the app refuses these keys outside the local stack (see lib/local-stack.ts).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { SignJWT } from 'jose';
import { keysFile, localRoot } from './paths.ts';
import { privateDir, privateFile } from './private-files.ts';

/** The Frontend API host encoded in the local publishable key. `.localhost` never leaves the machine. */
export const LOCAL_FAPI_HOST = 'clerk.local.localhost';

export interface LocalKeys {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  publicJwk: Record<string, unknown>;
  clerkPublishableKey: string;
  clerkSecretKey: string;
  webhookSecret: string;
  jwtSecret: string;
  supabasePublishableKey: string;
  supabaseSecretKey: string;
  anonJwt: string;
  serviceRoleJwt: string;
}

async function generate(): Promise<LocalKeys> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const kid = `ins_local_${randomBytes(6).toString('hex')}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const jwtSecret = randomBytes(32).toString('base64url');
  const secret = new TextEncoder().encode(jwtSecret);
  // The legacy Supabase API keys are long-lived HS256 JWTs; the local gateway swaps the new-style
  // sb_publishable_/sb_secret_ keys for these, as Supabase's own gateway does.
  const apiKeyJwt = (role: string) =>
    new SignJWT({ role, iss: 'supabase-local' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('10y')
      .sign(secret);
  return {
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicJwk,
    clerkPublishableKey: `pk_test_${Buffer.from(`${LOCAL_FAPI_HOST}$`).toString('base64').replace(/=+$/, '')}`,
    clerkSecretKey: `sk_test_local${randomBytes(20).toString('hex')}`,
    webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
    jwtSecret,
    supabasePublishableKey: `sb_publishable_local${randomBytes(12).toString('hex')}`,
    supabaseSecretKey: `sb_secret_local${randomBytes(12).toString('hex')}`,
    anonJwt: await apiKeyJwt('anon'),
    serviceRoleJwt: await apiKeyJwt('service_role'),
  };
}

/** Loads the local keys, generating them on first use. */
export async function loadKeys(): Promise<LocalKeys> {
  privateDir(localRoot);
  if (fs.existsSync(keysFile)) return JSON.parse(fs.readFileSync(privateFile(keysFile), 'utf8')) as LocalKeys;
  const keys = await generate();
  // wx: two processes racing on a fresh clone must not end up with different keys.
  try {
    fs.writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600, flag: 'wx' });
    return keys;
  } catch {
    return JSON.parse(fs.readFileSync(keysFile, 'utf8')) as LocalKeys;
  }
}
