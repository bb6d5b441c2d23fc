// doctor's one HTTP helper: a JSON-or-text answer within 8 s, and the reasons a request failed.
export interface HttpResult {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

export async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<HttpResult> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 8000) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, text };
}

export const errCode = (r: HttpResult) =>
  r.body && typeof r.body === 'object' && 'code' in r.body ? String((r.body as { code: unknown }).code) : '';
export const errMessage = (r: HttpResult) =>
  r.body && typeof r.body === 'object' && 'message' in r.body ? String((r.body as { message: unknown }).message) : r.text.slice(0, 200);

export function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer within 8 s';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}
