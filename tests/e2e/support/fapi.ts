// Direct calls to the local Frontend API stand-in (bypassing the app), for its introspection endpoint.
export function fapi(path: string, method = 'GET') {
  return fetch(`${process.env.CLERK_FAPI_URL}${path}`, { method, headers: { 'Clerk-Secret-Key': process.env.CLERK_SECRET_KEY ?? '' } });
}
