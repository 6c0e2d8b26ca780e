import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '../auth/bearer-token';
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

describe('the auditors file', () => {
  it('gives each auditor with a token, hashed, and names the ones whose variable is unset', () => {
    const file = parseAuditorsFile(
      `auditors:
  - { id: aud-ines, name: Ines, workspaces: [acme-support], token_env: AUDITOR_TOKEN_INES }
  - { id: aud-all, name: Compliance, workspaces: ["*"], token_hash: "sha256:${HEX}" }
  - { id: aud-away, name: Away, workspaces: [globex], token_env: AUDITOR_TOKEN_AWAY }`,
      tokens,
    );
    expect(file.auditors).toEqual([
      { id: 'aud-ines', name: 'Ines', workspaces: ['acme-support'], tokenHash: hashToken(INES) },
      { id: 'aud-all', name: 'Compliance', workspaces: ['*'], tokenHash: HEX },
    ]);
    expect(file.unsetTokenVariables).toEqual([{ id: 'aud-away', variable: 'AUDITOR_TOKEN_AWAY' }]);
  });

  it.each([
    ['no workspaces', '{ id: a, name: A, workspaces: [], token_hash: "sha256:' + HEX + '" }', 'auditors[0] (a).workspaces: must list at least one workspace'],
    [
      '"*" with others',
      '{ id: a, name: A, workspaces: ["*", acme], token_hash: "sha256:' + HEX + '" }',
      'auditors[0] (a).workspaces: "*" already means every workspace',
    ],
    [
      'a workspace twice',
      '{ id: a, name: A, workspaces: [acme, acme], token_hash: "sha256:' + HEX + '" }',
      'auditors[0] (a).workspaces: lists a workspace twice',
    ],
    [
      'a bad workspace',
      '{ id: a, name: A, workspaces: ["acme support"], token_hash: "sha256:' + HEX + '" }',
      'auditors[0] (a).workspaces[0]: must be a workspace id',
    ],
    ['no token', '{ id: a, name: A, workspaces: [acme] }', 'auditors[0] (a).token_env: is missing: give token_env'],
    [
      'both token sources',
      '{ id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_INES, token_hash: "sha256:' + HEX + '" }',
      'auditors[0] (a).token_env: gives both',
    ],
    [
      'another variable as a token',
      '{ id: a, name: A, workspaces: [acme], token_env: DATABASE_URL }',
      'auditors[0] (a).token_env: must name a variable AUDITOR_TOKEN_<NAME>',
    ],
    [
      'a short token',
      '{ id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_SHORT }',
      'auditors[0] (a).token_env: AUDITOR_TOKEN_SHORT must hold a token of at least 16 characters',
    ],
    [
      'a bad hash',
      '{ id: a, name: A, workspaces: [acme], token_hash: "md5:abc" }',
      'auditors[0] (a).token_hash: must be "sha256:" and 64 lowercase hex digits',
    ],
    ['a misspelt field', '{ id: a, name: A, workspace: [acme], token_hash: "sha256:' + HEX + '" }', 'auditors[0] (a).workspace: unknown field'],
    ['a blank name', '{ id: a, name: " ", workspaces: [acme], token_hash: "sha256:' + HEX + '" }', 'auditors[0] (a).name: must not be blank'],
  ])('refuses %s, naming the auditor and the field', (_name, entry, problem) => {
    expect(problems(`auditors:\n  - ${entry}\n`)).toContain(problem);
  });

  it('refuses two auditors with one id or one token, naming both', () => {
    const message = problems(`auditors:
  - { id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_INES }
  - { id: a, name: B, workspaces: [acme], token_hash: "sha256:${HEX}" }
  - { id: c, name: C, workspaces: [acme], token_env: AUDITOR_TOKEN_TWIN }`);
    expect(message).toContain('auditors[1] (a).id: a is also auditors[0]');
    expect(message).toContain("auditors[2] (c).token_env: is the same token as auditors[0] (a)'s");
  });

  it.each([
    ['not YAML', 'auditors: [', 'YAML:'],
    ['no list', 'auditors: 3', 'auditors: must be a list of auditors'],
    ['a key twice', 'auditors: []\nauditors: []', 'YAML:'],
    ['something else', 'reviewers: []', 'reviewers: unknown field'],
  ])('refuses a file that is %s', (_name, text, problem) => {
    expect(problems(text)).toContain(problem);
  });

  it('never echoes a token', () => {
    expect(problems('auditors:\n  - { id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_SHORT }')).not.toContain('tiny-secret');
    expect(
      problems(
        `auditors:\n  - { id: a, name: A, workspaces: [acme], token_env: AUDITOR_TOKEN_INES }\n  - { id: b, name: B, workspaces: [acme], token_env: AUDITOR_TOKEN_TWIN }`,
      ),
    ).not.toContain(INES);
  });

  it('accepts the committed config/auditors.yaml: one auditor of acme-support, one of every workspace', () => {
    const text = readFileSync(join(__dirname, '../../../../config/auditors.yaml'), 'utf8');
    const file = parseAuditorsFile(text, { AUDITOR_TOKEN_INES: INES, AUDITOR_TOKEN_COMPLIANCE: 'compliance-token-0123456789' });
    expect(file.auditors.map((a) => a.workspaces)).toEqual([['acme-support'], ['*']]);
  });
});
