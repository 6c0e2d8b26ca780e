import { fieldIssues } from '@hitl/service-kit';
import { ReviewerFields, ReviewerPatch } from './reviewer.schema';

// The directory's new fields as the admin API and the reviewers file take them: aliases
// (other names of the person) and the reviewer's own channel.

const dana = { name: 'Dana Okafor', roles: ['finance_lead'], workspaces: ['acme-support'] };
const issues = (body: unknown, schema: typeof ReviewerFields | typeof ReviewerPatch = ReviewerFields) => {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : fieldIssues(parsed.error).map((i) => `${i.field}: ${i.message}`);
};

describe('aliases and an own channel', () => {
  it('are optional: omitted, the reviewer has none', () => {
    expect(ReviewerFields.parse(dana)).toEqual({ ...dana, available: true, capacity: null, admin: false, auditor: false });
  });

  it('takes e-mail addresses and external ids, trimmed, and a webhook', () => {
    const parsed = ReviewerFields.parse({ ...dana, aliases: [' Dana@Example.com ', 'crm:4711'], notify: { webhook: 'https://hooks.example.test/T0/B0/x' } });
    expect(parsed).toMatchObject({ aliases: ['Dana@Example.com', 'crm:4711'], notify: { webhook: 'https://hooks.example.test/T0/B0/x' } });
    expect(ReviewerPatch.parse({ notify: null })).toEqual({ notify: null });
    expect(ReviewerPatch.parse({ aliases: [] })).toEqual({ aliases: [] });
  });

  it.each([
    ['an alias twice, in other case', { aliases: ['dana@example.com', 'DANA@example.com'] }, 'aliases: lists an alias twice (ignoring case)'],
    ['a blank alias', { aliases: ['  '] }, 'aliases[0]: must not be blank'],
    ['an alias with a space', { aliases: ['Dana Okafor'] }, 'aliases[0]: must be one name without spaces'],
    ['aliases not a list', { aliases: 'dana@example.com' }, 'aliases: '],
    ['a webhook that is no URL', { notify: { webhook: 'slack' } }, 'notify.webhook: must be an http:// or https:// URL'],
    ['a channel of an unknown kind', { notify: { email: 'dana@example.com' } }, 'notify.email: unknown field'],
  ])('refuses %s, naming the field', (_name, extra, expected) => {
    const found = issues({ ...dana, ...extra });
    expect(found.some((issue) => issue.startsWith(expected))).toBe(true);
  });
});
