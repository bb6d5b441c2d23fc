// What the caller may ask for, read from a small JSON body (all fields optional). Anything else gets
// a 4xx that says what is wrong: 413 too large, 415 not JSON, 400 malformed or out of range.
import { z } from 'zod';
import { HttpError } from '../_shared/http.ts';

const MAX_BODY_BYTES = 16 * 1024;

const ReportRequest = z.strictObject({
  format: z.enum(['json', 'csv']).default('json'),
  staleAfterDays: z.int().min(1).max(365).default(7),
});
export type ReportRequest = z.infer<typeof ReportRequest>;

export async function readReportRequest(req: Request): Promise<ReportRequest> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpError(413, 'body_too_large', `The request body is ${declared} bytes; at most ${MAX_BODY_BYTES} are accepted.`);
  const text = await readLimited(req);
  if (!text.trim()) return ReportRequest.parse({});
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the options as JSON (Content-Type: application/json).');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = ReportRequest.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new HttpError(400, 'invalid_request', `The request is not valid: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/** The body as text, read no further than the limit (a chunked body declares no length). */
async function readLimited(req: Request): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new HttpError(413, 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return new TextDecoder().decode(bytes);
}
