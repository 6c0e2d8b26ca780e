import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@hitl/service-kit';
import { ReviewersFileError, parseReviewersFile } from './reviewers-file';

const ALICE_TOKEN = 'alice-token-0123456789';
const tokens = { REVIEWER_TOKEN_ALICE: ALICE_TOKEN, REVIEWER_TOKEN_SHORT: 'short', REVIEWER_TOKEN_SPACE: 'a token with spaces' };
const HEX = 'a'.repeat(64);

function issuesOf(yaml: string): string[] {
  try {
    parseReviewersFile(yaml, tokens);
  } catch (error) {
    if (error instanceof ReviewersFileError) return error.issues.map((i) => `${i.field}: ${i.message}`);
    throw error;
  }
  return [];
}

/** A file with one valid reviewer, plus `extra` lines appended to that reviewer. */
const one = (extra = '') => `reviewers:
  - id: rev-alice
    name: Alice Moreau
    roles: [support_agent]
    workspaces: [acme-support]
${extra ? `${extra}\n` : ''}`;

describe('a valid reviewers file', () => {
  it('gives each reviewer its fields, with defaults, and its token hash', () => {
    const file = parseReviewersFile(
      `reviewers:
  - id: rev-alice
    name: Alice Moreau
    roles: [support_agent]
    workspaces: [acme-support]
    capacity: 5
    token_env: REVIEWER_TOKEN_ALICE
  - id: rev-ops
    name: Ops
    roles: []
    workspaces: ["*"]
    available: false
    admin: true
    auditor: true
    token_hash: sha256:${HEX}
  - id: rev-nobody
    name: No Token Yet
    roles: [finance_lead]
    workspaces: [acme-support, globex-billing]
`,
      tokens,
    );
    expect(file.reviewers).toEqual([
      {
        id: 'rev-alice',
        fields: { name: 'Alice Moreau', roles: ['support_agent'], workspaces: ['acme-support'], available: true, capacity: 5, admin: false, auditor: false },
        tokenHash: hashToken(ALICE_TOKEN),
      },
      { id: 'rev-ops', fields: { name: 'Ops', roles: [], workspaces: ['*'], available: false, capacity: null, admin: true, auditor: true }, tokenHash: HEX },
      {
        id: 'rev-nobody',
        fields: {
          name: 'No Token Yet',
          roles: ['finance_lead'],
          workspaces: ['acme-support', 'globex-billing'],
          available: true,
          capacity: null,
          admin: false,
          auditor: false,
        },
        tokenHash: null,
      },
    ]);
    expect(file.unsetTokenVariables).toEqual([]);
  });

  it('the committed config/reviewers.yaml is valid: the refunds team and another workspace', () => {
    const file = parseReviewersFile(readFileSync(join(__dirname, '../../../../config/reviewers.yaml'), 'utf8'), {});
    const holding = (role: string, workspace: string) =>
      file.reviewers.filter((r) => r.fields.roles.includes(role) && r.fields.workspaces.includes(workspace)).map((r) => r.id);
    expect(holding('support_agent', 'acme-support')).toHaveLength(3);
    expect(holding('finance_lead', 'acme-support')).toHaveLength(2);
    expect(holding('team_lead', 'acme-support')).toHaveLength(1);
    expect(file.reviewers.filter((r) => r.fields.capacity === 5)).toHaveLength(1);
    expect(file.reviewers.filter((r) => r.fields.admin).map((r) => r.id)).toEqual(['rev-grace']);
    expect(file.reviewers.filter((r) => r.fields.auditor).map((r) => r.id)).toEqual(['rev-hassan']);
    expect(file.reviewers.filter((r) => r.fields.workspaces.includes('globex-billing')).map((r) => r.id)).toEqual(['rev-ines']);
    // Tokens come from REVIEWER_TOKEN_* variables for demos; with none set, nobody gets one.
    expect(file.unsetTokenVariables.map((u) => u.variable)).toEqual(file.reviewers.map((r) => `REVIEWER_TOKEN_${r.id.slice('rev-'.length).toUpperCase()}`));
  });

  it('accepts an empty team', () => {
    expect(parseReviewersFile('reviewers: []', {})).toEqual({ reviewers: [], unsetTokenVariables: [] });
  });

  it('reports a token variable that is not set, and loads the reviewer without a token', () => {
    const file = parseReviewersFile(one('    token_env: REVIEWER_TOKEN_NOT_SET'), tokens);
    expect(file.reviewers[0].tokenHash).toBeNull();
    expect(file.unsetTokenVariables).toEqual([{ id: 'rev-alice', variable: 'REVIEWER_TOKEN_NOT_SET' }]);
  });

  it('accepts capacity: null as no limit', () => {
    expect(parseReviewersFile(one('    capacity: null'), tokens).reviewers[0].fields.capacity).toBeNull();
  });
});

describe('an invalid reviewers file names the reviewer and the field', () => {
  it.each([
    ['a misspelt field', one('    capcity: 5'), 'reviewers[0] (rev-alice).capcity: unknown field'],
    ['a missing name', 'reviewers:\n  - id: rev-x\n    roles: []\n    workspaces: ["*"]', 'reviewers[0] (rev-x).name: '],
    ['a missing id', 'reviewers:\n  - name: X\n    roles: []\n    workspaces: ["*"]', 'reviewers[0].id: '],
    ['a bad id', 'reviewers:\n  - id: "rev alice"\n    name: X\n    roles: []\n    workspaces: ["*"]', 'reviewers[0] (rev alice).id: must be letters, digits'],
    ['a blank name', one().replace('Alice Moreau', '"  "'), 'reviewers[0] (rev-alice).name: must not be blank'],
    ['roles not a list', one().replace('[support_agent]', 'support_agent'), 'reviewers[0] (rev-alice).roles: '],
    ['a role twice', one().replace('[support_agent]', '[support_agent, support_agent]'), 'reviewers[0] (rev-alice).roles: lists a role twice'],
    ['a bad role', one().replace('[support_agent]', '["support agent"]'), 'reviewers[0] (rev-alice).roles[0]: must be letters'],
    ['no workspace', one().replace('[acme-support]', '[]'), 'reviewers[0] (rev-alice).workspaces: must list at least one workspace'],
    ['a bad workspace', one().replace('[acme-support]', '["acme support"]'), 'reviewers[0] (rev-alice).workspaces[0]: must be a workspace id or "*"'],
    ['capacity zero', one('    capacity: 0'), 'reviewers[0] (rev-alice).capacity: must be a whole number of at least 1'],
    ['capacity a fraction', one('    capacity: 2.5'), 'reviewers[0] (rev-alice).capacity: must be a whole number of at least 1'],
    ['capacity a string', one('    capacity: "5"'), 'reviewers[0] (rev-alice).capacity: must be a whole number of at least 1'],
    ['available a string', one('    available: "yes"'), 'reviewers[0] (rev-alice).available: '],
    ['admin a string', one('    admin: "true"'), 'reviewers[0] (rev-alice).admin: '],
    ['a token hash without its prefix', one(`    token_hash: ${HEX}`), 'reviewers[0] (rev-alice).token_hash: must be "sha256:" and 64 lowercase hex digits'],
    ['a short token hash', one('    token_hash: sha256:abc'), 'reviewers[0] (rev-alice).token_hash: must be "sha256:"'],
    ['a token variable of another kind', one('    token_env: DATABASE_URL'), 'reviewers[0] (rev-alice).token_env: must name a variable REVIEWER_TOKEN_<NAME>'],
    [
      'both token forms',
      one(`    token_hash: sha256:${HEX}\n    token_env: REVIEWER_TOKEN_ALICE`),
      'reviewers[0] (rev-alice).token_env: gives both token_hash and token_env; give one',
    ],
    [
      'a short token',
      one('    token_env: REVIEWER_TOKEN_SHORT'),
      'reviewers[0] (rev-alice).token_env: REVIEWER_TOKEN_SHORT must hold a token of at least 16 characters without spaces',
    ],
    [
      'a token with spaces',
      one('    token_env: REVIEWER_TOKEN_SPACE'),
      'reviewers[0] (rev-alice).token_env: REVIEWER_TOKEN_SPACE must hold a token of at least 16',
    ],
    ['an unknown top-level key', `${one()}team: x`, 'team: unknown field'],
    ['no reviewers list', '{}', 'reviewers: must be a list of reviewers'],
    ['reviewers not a list', 'reviewers: rev-alice', 'reviewers: must be a list of reviewers'],
    ['an empty file', '', '(root): must be a mapping with a reviewers list'],
    ['a reviewer that is not an object', 'reviewers: [rev-alice]', 'reviewers[0]: '],
    ['broken YAML', 'reviewers: [', '(root): YAML: '],
    ['a duplicated key', one('    name: Again'), '(root): YAML: Map keys must be unique'],
  ])('%s', (_name, yaml, expected) => {
    const issues = issuesOf(yaml);
    expect(issues).toHaveLength(1);
    expect(issues[0].startsWith(expected)).toBe(true);
  });

  it('names the second of two reviewers with one id', () => {
    expect(issuesOf(`${one()}${one().replace('reviewers:\n', '')}`)).toEqual(['reviewers[1] (rev-alice).id: rev-alice is also reviewers[0]']);
  });

  it("names a reviewer sharing another one's token", () => {
    const yaml = `${one('    token_env: REVIEWER_TOKEN_ALICE')}  - id: rev-bruno
    name: Bruno
    roles: [support_agent]
    workspaces: [acme-support]
    token_hash: sha256:${hashToken(ALICE_TOKEN)}
`;
    expect(issuesOf(yaml)).toEqual(["reviewers[1] (rev-bruno).token_hash: is the same token as reviewers[0] (rev-alice)'s"]);
  });

  it('lists every problem at once, in file order', () => {
    const yaml = `reviewers:
  - id: rev-a
    name: A
    roles: [support_agent]
    workspaces: [acme-support]
    capacity: -1
  - id: rev-b
    name: B
    roles: [support_agent]
    workspaces: []
    admin: yes
  - id: rev-c
    name: C
    roles: []
    workspaces: ["*"]
    token_env: REVIEWER_TOKEN_SHORT
  - id: rev-a
    name: A again
    roles: []
    workspaces: ["*"]
`;
    expect(issuesOf(yaml).map((i) => i.split(':')[0])).toEqual([
      'reviewers[0] (rev-a).capacity',
      'reviewers[1] (rev-b).workspaces',
      'reviewers[1] (rev-b).admin',
      'reviewers[2] (rev-c).token_env',
      'reviewers[3] (rev-a).id',
    ]);
  });

  it('never echoes a token', () => {
    expect(() => parseReviewersFile(one('    token_env: REVIEWER_TOKEN_SPACE'), tokens)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('a token with spaces') }),
    );
  });
});
