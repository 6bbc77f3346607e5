/**
 * The one JSON error format of every API endpoint:
 *   { "error": { "code": "not_found", "message": "中文说明", "fields": { "path": "中文说明" } } }
 * `fields` appears only for validation errors and names each bad field.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ApiError {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, fields?: Record<string, string>) {
  const body: ApiError = { error: fields ? { code, message, fields } : { code, message } };
  return c.json(body, status);
}

/**
 * A request's JSON body, or the refusal to answer with: 415 for another content type, 400 for text
 * that is not JSON. Every JSON endpoint reads its body through this (validation comes after).
 */
export async function jsonBody(c: Context): Promise<{ body: unknown } | { refused: Response }> {
  if (!(c.req.header('Content-Type') ?? '').toLowerCase().startsWith('application/json')) {
    return { refused: apiError(c, 415, 'unsupported_media_type', '请以 application/json 提交。') };
  }
  try {
    return { body: await c.req.json() };
  } catch {
    return { refused: apiError(c, 400, 'invalid_json', '请求内容不是有效的 JSON。') };
  }
}
