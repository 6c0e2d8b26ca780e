import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { Auditor } from '@hitl/service-kit';
import { CreateReportBody, DiagramFile, ReportRef, formatOf, listingScope, requestedScope } from './report-request';

const ID = '0b9a6c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const compliance: Auditor = { id: 'c', name: 'C', workspaces: ['*'] };
const ines: Auditor = { id: 'i', name: 'I', workspaces: ['acme-support'] };
const ana: Auditor = { id: 'a', name: 'A', workspaces: ['acme-support', 'globex'] };

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as BadRequestException | ForbiddenException).getResponse() as { code: string; message: string };
  }
  throw new Error('no error');
};

describe('what the reports API accepts', () => {
  it.each([
    [{}, true],
    [{ window_days: 7, workspace: 'acme-support' }, true],
    [{ window_days: 0 }, false],
    [{ window_days: 2.5 }, false],
    [{ window_days: '7' }, false],
    [{ windowDays: 7 }, false],
  ])('a body %j: %s', (body, ok) => {
    expect(CreateReportBody.safeParse(body).success).toBe(ok);
  });

  it('a report reference: the id, with .md or .json', () => {
    expect(ReportRef.parse(ID)).toEqual({ id: ID, format: null });
    expect(ReportRef.parse(`${ID.toUpperCase()}.md`)).toEqual({ id: ID, format: 'md' });
    expect(ReportRef.safeParse(`${ID}.pdf`).success).toBe(false);
    expect(ReportRef.safeParse('latest-one').success).toBe(false);
    expect(DiagramFile.parse('process_refund.svg')).toBe('process_refund');
    expect(DiagramFile.safeParse('process_refund.png').success).toBe(false);
  });

  it('the format: by the extension or ?format=, JSON by default, 400 when they disagree', () => {
    expect([formatOf(null, undefined), formatOf('md', undefined), formatOf(null, 'md'), formatOf('md', 'md')]).toEqual(['json', 'md', 'md', 'md']);
    expect(issuesOf(() => formatOf('md', 'json')).message).toBe('invalid query: format: is json, but the path asks for .md');
  });
});

describe('who may ask for which report', () => {
  it('every workspace for auditors of "*"; an auditor of one workspace gets that one', () => {
    expect(requestedScope(compliance, undefined)).toBeNull();
    expect(requestedScope(compliance, 'globex')).toBe('globex');
    expect(requestedScope(ines, undefined)).toBe('acme-support');
  });

  it('an auditor of several workspaces names one; nobody asks for a workspace they do not read', () => {
    expect(issuesOf(() => requestedScope(ana, undefined))).toMatchObject({
      code: 'invalid_request',
      message: 'invalid body: workspace: is required: you read more than one workspace, so name one',
    });
    expect(issuesOf(() => requestedScope(ines, 'globex'))).toMatchObject({ code: 'wrong_workspace' });
  });

  it('listings: all for "*", else the auditor’s workspaces (reports over every workspace left out)', () => {
    expect(listingScope(compliance, undefined)).toBe('*');
    expect(listingScope(ana, undefined)).toEqual(['acme-support', 'globex']);
    expect(listingScope(ana, 'globex')).toEqual(['globex']);
    expect(issuesOf(() => listingScope(ines, 'globex'))).toMatchObject({ code: 'wrong_workspace' });
  });
});
