import { PAGE_CSP, isPagePath } from './web-app';

describe('serving the web app', () => {
  it.each([
    ['GET', '/', true],
    ['GET', '/approvals/0b9f6a52-3f57-4c55-9d4e-1f1f5a1b2c3d', true],
    ['GET', '/queues', true],
    ['HEAD', '/calibration', true],
    ['GET', '/assets/index-abc123.js', false],
    ['GET', '/api/escalation/approvals', false],
    ['GET', '/api', false],
    ['GET', '/healthz', false],
    ['POST', '/', false],
    ['GET', '/apiary', true],
  ])('%s %s is a page of the app: %s', (method, path, page) => {
    expect(isPagePath(method, path)).toBe(page);
  });

  it('lets the page run only its own scripts', () => {
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
  });
});
