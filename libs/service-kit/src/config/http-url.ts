import { z } from 'zod';

/** Whether `value` is an absolute http:// or https:// URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An address to call (a webhook, a collector): http or https, with a host. */
export const HttpUrl = z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' });
