/**
 * CI jobs pass a token inside the repository URL (`https://oauth2:<token>@host/...`).
 * Everything the CLI prints — its own messages and git's output — goes through here, so a
 * credential never reaches a job log, even inside an error message.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

export function redact(text: string): string {
  return text.replace(URL_USERINFO, "$1***@");
}

/** The URL without user:password, used to recognise a reused working copy. */
export function withoutCredentials(url: string): string {
  return url.replace(URL_USERINFO, "$1");
}
