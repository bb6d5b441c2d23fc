// Direct calls to the local Frontend API stand-in (bypassing the app): its introspection endpoint and its
// session token lifetime.
export function fapi(path: string, method = 'GET', form?: Record<string, string>) {
  return fetch(`${process.env.CLERK_FAPI_URL}${path}`, {
    method,
    headers: {
      'Clerk-Secret-Key': process.env.CLERK_SECRET_KEY ?? '',
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form) : undefined,
  });
}
