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
