// Rendering from the manifest (v1.1 `render`), on the real broker and database: the line a
// reviewer reads in the console (GET /approvals/:id, the inbox summary) and in the chat
// notification is the manifest's template over the parameters, redacted fields masked; an
// action without a template is shown with every parameter by name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@hitl/testing';
import { SlackMessage } from '../src/notifications/notification-message';
import { REDACTED } from '../src/reviewer-inbox/render-action';
import { TOKENS, escalationForSuite, of, publish, readUntil, request } from './support/escalation-harness';

const IBAN = 'DE89370400440532013000';

const MANIFEST = `
defaults: { escalation_path: [support_agent] }
actions:
  pay_invoice:
    severity: high
    reversible: false
    approval_required: true
    parameters_schema:
      type: object
      properties:
        invoice_id: { type: string }
        amount: { type: number }
        currency: { type: string }
        due: { type: string }
        iban: { type: string }
    render: "Pay invoice {{invoice_id}}: {{amount | money: currency}} to account {{iban}}, due {{due | date}}."
    redact: [parameters.iban]
  ping_vendor:
    severity: high
    reversible: false
    approval_required: true
`;

/** The role's shared chat channel: records every post. */
class Webhook {
  readonly posts: SlackMessage[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        this.posts.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<unknown> {
    return new Promise((done) => this.server?.close(done) ?? done(undefined));
  }

  about(approvalId: string): Promise<SlackMessage> {
    const post = () => this.posts.find((p) => JSON.stringify(p).includes(approvalId));
    return eventually(`a post about ${approvalId}`, () => post() ?? false, { detail: () => `${this.posts.length} posts in all` });
  }
}

const webhook = new Webhook();
const dir = mkdtempSync(join(tmpdir(), 'hitl-render-'));
const manifestPath = join(dir, 'manifest.yaml');
const notificationsPath = join(dir, 'notifications.yaml');
writeFileSync(manifestPath, MANIFEST);

beforeAll(async () => {
  await webhook.start();
  writeFileSync(notificationsPath, `public_url: https://hitl.example.test\nwebhooks:\n  support_agent: ${webhook.url}/hooks/support\n`);
});
afterAll(() => webhook.stop());

describe('rendering from the manifest', () => {
  const suite = escalationForSuite({ MANIFEST_PATH: manifestPath, NOTIFICATIONS_PATH: notificationsPath, NOTIFY_POLL_INTERVAL_MS: '100' });

  async function call(path: string, who: keyof typeof TOKENS) {
    const response = await fetch(`${suite.service.url}${path}`, { headers: { authorization: `Bearer ${TOKENS[who]}` } });
    return { status: response.status, body: await response.json() };
  }

  const invoice = request({
    action: 'pay_invoice',
    path: ['support_agent'],
    parameters: { invoice_id: 'INV-2041', amount: 1234.5, currency: 'eur', due: '2026-12-31', iban: IBAN },
  });
  const ping = request({ action: 'ping_vendor', path: ['support_agent'], parameters: { note: '{{iban}} <b>', vendor: 'acme' } });

  beforeAll(async () => {
    await publish(suite.env, [invoice, ping]);
    await readUntil(suite.env, 'approval.updated', (events) =>
      [invoice, ping].every((r) => of(events, r.subject).some((e) => e.type === 'hitl.approval.assigned.v1')),
    );
  });

  const HEADLINE = `Pay invoice "INV-2041": €1,234.50 to account ${REDACTED}, due 31 Dec 2026.`;

  it("GET /approvals/:id renders the action with the manifest's template, the redacted field masked", async () => {
    const { status, body } = await call(`/approvals/${invoice.data.approval_id}`, 'alice');
    expect(status).toBe(200);
    expect(body.rendering).toMatchObject({
      headline: HEADLINE,
      template: 'Pay invoice {{invoice_id}}: {{amount | money: currency}} to account {{iban}}, due {{due | date}}.',
      consequence: 'high severity; irreversible: it cannot be undone',
    });
    expect(body.rendering.details).toEqual([
      { label: 'invoice_id', value: '"INV-2041"' },
      { label: 'amount', value: '1234.5' },
      { label: 'currency', value: '"eur"' },
      { label: 'iban', value: REDACTED },
      { label: 'due', value: '"2026-12-31"' },
    ]);
    expect(body.summary).toBe(HEADLINE);
    expect(JSON.stringify(body)).not.toContain(IBAN);
  });

  it('an action without a template is shown with every parameter by name, its values inert', async () => {
    const { body } = await call(`/approvals/${ping.data.approval_id}`, 'alice');
    expect(body.rendering.headline).toBe('Run "ping_vendor" with note: "{{iban}} <b>", vendor: "acme".');
    expect(body.rendering.template).toBe('generic');
  });

  it("the inbox shows the template's line as each approval's summary", async () => {
    const { status, body } = await call('/approvals?limit=50', 'alice');
    expect(status).toBe(200);
    const summaries = Object.fromEntries((body.items as { approval_id: string; summary: string }[]).map((i) => [i.approval_id, i.summary]));
    expect(summaries[invoice.data.approval_id]).toBe(HEADLINE);
  });

  it("the chat notification carries the template's line, the redacted field masked", async () => {
    const message = await webhook.about(invoice.data.approval_id);
    expect(message.blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: HEADLINE } });
    expect(message.text).toContain(HEADLINE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(JSON.stringify(message)).not.toContain(IBAN);
    const generic = await webhook.about(ping.data.approval_id);
    expect(generic.blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: 'Run "ping_vendor" with note: "{{iban}} <b>", vendor: "acme".' } });
  });
});
