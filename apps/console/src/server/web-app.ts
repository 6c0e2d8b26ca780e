// How the built web app is served: assets as files, any other page path as index.html
// (the app routes in the browser), with headers that keep the page from loading or
// running anything but its own files.

/** Paths the web app never answers: the proxied APIs and the server's own routes. */
const NOT_PAGES = /^\/(api|healthz)(\/|$)/;

/** Whether a request is for a page of the app (answered with index.html). */
export function isPagePath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && !NOT_PAGES.test(path) && !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * The page's Content-Security-Policy. Scripts and styles come from the console itself only,
 * so text an agent wrote can never run. 'unsafe-eval' is there for one reason: the edit form
 * checks parameters with Ajv, which compiles the manifest's schema (reviewed config, never
 * agent text) into a function, the same validator the router uses.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
