import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NotificationsFileError, parseNotificationsFile } from './notifications-file';

function problems(text: string): string[] {
  try {
    parseNotificationsFile(text);
  } catch (error) {
    if (error instanceof NotificationsFileError) return error.issues.map((i) => `${i.field}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a NotificationsFileError');
}

describe('the notifications file', () => {
  it.each([
    [
      'a full file',
      'public_url: https://hitl.example.com/\nwebhooks:\n  support_agent: https://hooks.slack.com/services/T0/B0/x\n  finance_lead: http://127.0.0.1:9000/hook\nlink_ttl_minutes: 30\n',
      {
        publicUrl: 'https://hitl.example.com',
        webhooks: [
          ['support_agent', 'https://hooks.slack.com/services/T0/B0/x'],
          ['finance_lead', 'http://127.0.0.1:9000/hook'],
        ],
        linkTtlMinutes: 30,
      },
    ],
    ['defaults: no webhooks, links for an hour', 'public_url: http://127.0.0.1:3002', { publicUrl: 'http://127.0.0.1:3002', webhooks: [], linkTtlMinutes: 60 }],
    ['a path prefix kept', 'public_url: https://ops.example.com/hitl//', { publicUrl: 'https://ops.example.com/hitl', webhooks: [], linkTtlMinutes: 60 }],
  ])('reads %s', (_name, text, expected) => {
    const settings = parseNotificationsFile(text);
    expect({ ...settings, webhooks: [...settings.webhooks] }).toEqual(expected);
  });

  it.each([
    ['an empty file', '', ['public_url: ']],
    ['a relative public URL', 'public_url: /approvals', ['public_url: must be an http:// or https:// URL']],
    ['a public URL with a query', 'public_url: https://x.example.com/?a=1', ['public_url: must not have a query or a fragment']],
    [
      'a webhook that is not a URL',
      'public_url: https://x.example.com\nwebhooks: { support_agent: slack }',
      ['webhooks.support_agent: must be an http:// or https:// URL'],
    ],
    ['a role that is not a role', 'public_url: https://x.example.com\nwebhooks: { "support agent": "https://h.example.com" }', ['webhooks.support agent: ']],
    ['a zero lifetime', 'public_url: https://x.example.com\nlink_ttl_minutes: 0', ['link_ttl_minutes: must be a whole number of minutes from 1 to 10080']],
    ['a lifetime in text', 'public_url: https://x.example.com\nlink_ttl_minutes: 1h', ['link_ttl_minutes: must be a whole number of minutes from 1 to 10080']],
    ['a misspelt key', 'public_url: https://x.example.com\nwebhook: {}', ['webhook: unknown field']],
    ['a duplicate key', 'public_url: https://x.example.com\npublic_url: https://y.example.com', ['(root): YAML: ']],
    ['everything wrong at once', 'public_url: nope\nlink_ttl_minutes: -1\nextra: 1', ['public_url: ', 'link_ttl_minutes: ', 'extra: unknown field']],
  ])('refuses %s, naming the field', (_name, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((prefix) => expect(found.some((p) => p.startsWith(prefix))).toBe(true));
  });

  it('never echoes a webhook URL in an error', () => {
    expect(problems('public_url: https://x.example.com\nwebhooks: { support_agent: "ftp://secret-token@hooks.example.com" }').join()).not.toContain(
      'secret-token',
    );
  });

  it('reads the committed example', () => {
    const settings = parseNotificationsFile(readFileSync(resolve(__dirname, '../../../../config/notifications.yaml'), 'utf8'));
    expect(settings).toMatchObject({ publicUrl: 'http://127.0.0.1:3002', linkTtlMinutes: 60 });
  });
});
