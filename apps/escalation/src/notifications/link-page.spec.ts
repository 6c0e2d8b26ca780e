import { LinkView, confirmationPage, escapeHtml, problemPage, resultPage } from './link-page';

const view: LinkView = {
  act: 'approve',
  reviewerName: 'Alice Moreau',
  action: 'process_refund',
  workspace: 'acme-support',
  rendering: 'Refund $120.00 for order "ORD-1".',
  summary: 'Refund order ORD-1',
  consequence: 'high severity, irreversible',
  amount: '$120.00',
  slaDeadline: '2026-11-22T10:00:00.000Z',
  approvalUrl: 'https://hitl.example.com/approvals/0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11',
  linkExpiresAt: '2026-11-22T10:00:00.000Z',
};

describe('link pages', () => {
  it('the confirmation shows what would happen and posts back to itself', () => {
    const html = confirmationPage(view);
    expect(html).toContain('<h1>Approve process_refund?</h1>');
    expect(html).toContain('<dt>Amount</dt><dd>$120.00</dd>');
    expect(html).toContain('<dt>What will run</dt><dd>Refund $120.00 for order &quot;ORD-1&quot;.</dd>');
    expect(html).toContain('<dt>The agent&#39;s summary (its own words)</dt><dd>Refund order ORD-1</dd>');
    expect(html).toContain('<dt>Consequence</dt><dd>high severity, irreversible</dd>');
    expect(html).toContain('<form method="post"><button type="submit" class="approve">Approve</button></form>');
    expect(html).toContain('As Alice Moreau.');
  });

  it.each([
    ['approved', [] as string[], 1, 'process_refund is approved.'],
    ['denied', [], 1, 'process_refund is denied.'],
    ['awaiting_approvals', ['alice'], 2, 'Your approval is recorded: 1 of 2 reviewers have approved process_refund.'],
  ])('the result: %s', (status, approvals, requiredApprovals, said) => {
    expect(resultPage({ act: 'approve', action: 'process_refund', status, approvals, requiredApprovals, approvalUrl: view.approvalUrl })).toContain(
      `<h1>${said}</h1>`,
    );
  });

  it('leaves no field unescaped', () => {
    const html = confirmationPage({
      ...view,
      rendering: 'Close ticket "<script>alert(2)</script>".',
      summary: '<script>alert(1)</script>',
      reviewerName: '"><img src=x>',
      amount: null,
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<dt>Amount</dt>');
    expect(problemPage(410, 'link_used', 'used <b>once</b>')).toContain('used &lt;b&gt;once&lt;/b&gt;');
  });

  it.each([
    [`a "quoted" & <tagged> 'value'`, 'a &quot;quoted&quot; &amp; &lt;tagged&gt; &#39;value&#39;'],
    ['plain', 'plain'],
  ])('escapes %j', (raw, escaped) => {
    expect(escapeHtml(raw)).toBe(escaped);
  });
});
