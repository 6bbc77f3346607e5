/**
 * The one mapping from a failed validation to messages by field: the complaint form's error
 * summary and the API's `fields` (intake, search parameters, staff login), objections, and
 * Open311's description all read it. Framework-free: the browser's form script uses it too.
 */

/** What this needs of a zod error (its issues), so that callers need not import zod. */
export interface ValidationIssues {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

export interface FieldErrorOptions {
  /**
   * `path` (default): the issue's whole path, `pollutionTypes.0`, as the intake API names it.
   * `field`: the top-level name only, for flat forms and query strings whose list items have no
   * field of their own (`kind=a&kind=b` is one parameter).
   */
  key?: 'path' | 'field';
  /** The name of an issue about the whole input (a body that is not an object): `_` unless told. */
  root?: string;
}

/** Field errors keyed by field name, one message each: the first found (the order the schema checks in). */
export function fieldErrors(error: ValidationIssues, options: FieldErrorOptions = {}): Record<string, string> {
  const root = options.root ?? '_';
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = options.key === 'field' ? issue.path.slice(0, 1) : issue.path;
    const key = path.length ? path.map(String).join('.') : root;
    out[key] ??= issue.message;
  }
  return out;
}

/** The key of an error about the whole submission (e.g. too many of them): shown first in a form's summary, linked to no field. */
export const FORM_ERROR = '_form';
