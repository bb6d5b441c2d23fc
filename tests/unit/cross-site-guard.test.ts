// lib/cross-site-guard.ts, the rule table: which writes to the JSON API a cross-site page could make
// with the visitor's cookies, and what each gets (lib/api.ts applies it inside every session route).
// tests/app/api.test.ts and security.test.ts send the same attacks to the production build.
import { describe, expect, it } from 'vitest';
import { crossSiteWriteGuard, NOT_JSON } from '../../lib/cross-site-guard.ts';

const APP = 'https://app.example.com';
const guard = crossSiteWriteGuard([APP, 'http://localhost:3000']);
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  guard(new Request(`${APP}${path}`, { method, headers }))?.status ?? 'passes';

describe('cross-site writes to the JSON API', () => {
  it('a text/plain, form or untyped POST (no CORS preflight) is 415, from any origin', () => {
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'text/json',
    ]) {
      expect(send('POST', '/api/tasks', { 'content-type': type }), type).toBe(415);
      expect(send('POST', '/api/tasks', { 'content-type': type, origin: APP }), type).toBe(415);
    }
    expect(send('POST', '/api/tasks')).toBe(415);
    expect(send('PATCH', '/api/tasks/1', { 'content-type': 'text/plain' })).toBe(415);
  });

  it('the 415 says what to send instead, as JSON', async () => {
    const res = guard(new Request(`${APP}/api/tasks`, { method: 'POST', headers: { 'content-type': 'text/plain' } }));
    expect(await res?.json()).toEqual({ error: NOT_JSON });
  });

  it('a write from another origin is 403, JSON or not, DELETE included', () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example', 'http://app.example.com']) {
      expect(send('POST', '/api/tasks', { 'content-type': 'application/json', origin }), origin).toBe(403);
      expect(send('DELETE', '/api/tasks/1', { origin }), origin).toBe(403);
    }
  });

  it('JSON from the app itself, or from a client that sends no Origin (curl, servers), passes', () => {
    expect(send('POST', '/api/tasks', { 'content-type': 'application/json', origin: APP })).toBe('passes');
    expect(send('POST', '/api/tasks', { 'content-type': 'Application/JSON; charset=utf-8' })).toBe('passes');
    expect(send('DELETE', '/api/tasks/1')).toBe('passes');
    expect(send('DELETE', '/api/tasks/1', { origin: 'http://localhost:3000' })).toBe('passes');
  });

  it('reads pass; the path is never read: every spelling of a route gets the same answer', () => {
    expect(send('GET', '/api/tasks', { origin: 'https://evil.example' })).toBe('passes');
    expect(send('HEAD', '/api/tasks', { origin: 'https://evil.example' })).toBe('passes');
    expect(send('OPTIONS', '/api/tasks', { origin: 'https://evil.example' })).toBe('passes');
    for (const path of ['/api/tasks', '/%61pi/tasks', '/api%2Ftasks', '//api/tasks', '/API/tasks', '/api/tasks%2F', '/anything']) {
      expect(send('POST', path, { 'content-type': 'text/plain' }), path).toBe(415);
      expect(send('POST', path, { 'content-type': 'application/json', origin: 'https://evil.example' }), path).toBe(403);
    }
  });

  it('does not trust Host: a DNS-rebinding page is cross-origin whatever Host it reaches us with', () => {
    const rebound = guard(
      new Request('http://evil.example/api/tasks', {
        method: 'POST',
        headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/json' },
      }),
    );
    expect(rebound?.status).toBe(403);
  });

  it('without configured origins (development without CLERK_AUTHORIZED_PARTIES) only the JSON rule applies', () => {
    const open = crossSiteWriteGuard(undefined);
    expect(open(new Request(`${APP}/api/tasks`, { method: 'POST', headers: { 'content-type': 'text/plain' } }))?.status).toBe(415);
    expect(
      open(
        new Request(`${APP}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        }),
      ),
    ).toBeNull();
  });
});
