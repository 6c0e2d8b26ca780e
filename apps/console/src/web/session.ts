// Tokens live in sessionStorage (this tab only, gone when it closes), never in logs or URLs.

export const REVIEWER_TOKEN_KEY = 'hitl.console.reviewer-token';
export const AUDITOR_TOKEN_KEY = 'hitl.console.auditor-token';

export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A token as typed or pasted: surrounding spaces and a leading `Bearer ` dropped; null when blank or not one token. */
export function cleanToken(text: string): string | null {
  const token = text.trim().replace(/^Bearer\s+/i, '');
  return token === '' || /\s/.test(token) ? null : token;
}
