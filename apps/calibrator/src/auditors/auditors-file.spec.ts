import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@hitl/service-kit';
import { Auditor, canReadScope, readableWorkspaces } from './auditor';
import { AuditorsFileError, parseAuditorsFile } from './auditors-file';

const INES = 'ines-token-0123456789';
const tokens = { AUDITOR_TOKEN_INES: INES, AUDITOR_TOKEN_SHORT: 'tiny-secret', AUDITOR_TOKEN_TWIN: INES };
const HEX = 'b'.repeat(64);

const problems = (text: string) => {
  try {
    parseAuditorsFile(text, tokens);
  } catch (error) {
    if (error instanceof AuditorsFileError) return error.message;
    throw error;
  }
  throw new Error('the file was accepted');
};

describe('the auditors file, as the calibrator reads it', () => {
  it('keys each auditor who can sign in by the hash of their token, and names those whose variable is unset', () => {
    const file = parseAuditorsFile(
      `auditors:
  - { id: aud-ines, name: Ines, workspaces: [acme-support], token_env: AUDITOR_TOKEN_INES }
  - { id: aud-all, name: Compliance, workspaces: ["*"], token_hash: "sha256:${HEX}" }
  - { id: aud-away, name: Away, workspaces: [globex], token_env: AUDITOR_TOKEN_AWAY }`,
      tokens,
    );
    expect([...file.byTokenHash]).toEqual([
      [hashToken(INES), { id: 'aud-ines', name: 'Ines', workspaces: ['acme-support'] }],
      [HEX, { id: 'aud-all', name: 'Compliance', workspaces: ['*'] }],
    ]);
    expect(file.unsetTokenVariables).toEqual([{ id: 'aud-away', variable: 'AUDITOR_TOKEN_AWAY' }]);
  });

  it('reads the repository’s own config/auditors.yaml', () => {
    const text = readFileSync(join(__dirname, '../../../../config/auditors.yaml'), 'utf8');
    expect(parseAuditorsFile(text, {}).unsetTokenVariables.map((u) => u.id)).toEqual(['aud-ines', 'aud-compliance']);
  });

  it.each([
    ['no workspaces', `{ id: a, name: A, workspaces: [], token_hash: "sha256:${HEX}" }`, 'auditors[0] (a).workspaces: must list at least one workspace'],
    ['"*" with others', `{ id: a, name: A, workspaces: ["*", acme], token_hash: "sha256:${HEX}" }`, 'auditors[0] (a).workspaces: "*" already means every workspace'],
    ['no token', '{ id: a, name: A, workspaces: [acme] }', 'auditors[0] (a).token_env: give exactly one of token_env'],
    ['another variable as a token', '{ id: a, name: A, workspaces: [acme], token_env: DATABASE_URL }', 'auditors[0] (a).token_env: must name a variable AUDITOR_TOKEN_<NAME>'],
    ['a short token', '{ id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_SHORT }', 'AUDITOR_TOKEN_SHORT must hold a token of at least 16 characters'],
    ['a misspelt field', `{ id: a, name: A, workspace: [acme], token_hash: "sha256:${HEX}" }`, 'auditors[0] (a).workspace: unknown field'],
  ])('refuses %s, naming the auditor and the field', (_name, entry, problem) => {
    expect(problems(`auditors:\n  - ${entry}\n`)).toContain(problem);
  });

  it('refuses one id or one token twice', () => {
    const message = problems(`auditors:
  - { id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_INES }
  - { id: a, name: B, workspaces: [acme], token_hash: "sha256:${HEX}" }
  - { id: c, name: C, workspaces: [acme], token_env: AUDITOR_TOKEN_TWIN }`);
    expect(message).toContain('auditors[1] (a).id: is used by an earlier auditor');
    expect(message).toContain("auditors[2] (c).token_env: is the same token as a's");
  });
});

describe('what an auditor may read', () => {
  const ines: Auditor = { id: 'ines', name: 'Ines', workspaces: ['acme-support', 'globex'] };
  const compliance: Auditor = { id: 'c', name: 'C', workspaces: ['*'] };

  it('a report over every workspace only with "*"; a workspace report with that workspace', () => {
    expect([canReadScope(compliance, null), canReadScope(ines, null)]).toEqual([true, false]);
    expect([canReadScope(ines, 'globex'), canReadScope(ines, 'initech')]).toEqual([true, false]);
  });

  it('history: the workspace named if allowed, else all of the auditor’s', () => {
    expect(readableWorkspaces(ines)).toEqual(['acme-support', 'globex']);
    expect(readableWorkspaces(ines, 'globex')).toEqual(['globex']);
    expect(readableWorkspaces(ines, 'initech')).toBeNull();
    expect(readableWorkspaces(compliance)).toBe('*');
  });
});
