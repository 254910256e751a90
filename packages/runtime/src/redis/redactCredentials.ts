/**
 * Keeps credentials out of log lines and error messages: URL user-info becomes `***`, and every
 * known secret (passwords given as options) is replaced wherever it appears.
 */
const URL_USERINFO = /\b(rediss?|redis\+sentinel|redis-sentinel):\/\/([^@\s/]*)@/gi;

export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_USERINFO, (_m, scheme: string) => `${scheme}://***@`);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join('***');
  }
  return out;
}

/**
 * A copy of `err` safe to attach as a `cause`: when its message or stack mentions a secret, a
 * plain Error with the redacted text (and the same name/code) replaces it.
 */
export function redactError(err: unknown, secrets: readonly string[]): unknown {
  if (!(err instanceof Error)) return err;
  const text = `${err.message}\n${err.stack ?? ''}`;
  if (redactCredentials(text, secrets) === text) return err;
  const copy = new Error(redactCredentials(err.message, secrets));
  copy.name = err.name;
  copy.stack = redactCredentials(err.stack ?? '', secrets);
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}
