import { Controller, Get, Header, HttpCode, Param, Post, UseFilters, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { LinkPageFilter } from './link-page.filter';
import { PAGE_HEADERS, confirmationPage, resultPage } from './link-page';
import { LinksService } from './links.service';

const Page = () =>
  applyDecorators(
    ...Object.entries(PAGE_HEADERS).map(([name, value]) => Header(name, value)),
    ApiProduces('text/html'),
    ApiParam({ name: 'token', description: 'The signed link token from a notification.' }),
    ApiForbiddenResponse({
      description:
        '`link_invalid`: changed, cut short or signed with another key; `link_reviewer_gone`; or a refusal of the decision rules (`wrong_workspace`, `wrong_role`, …).',
    }),
    ApiGoneResponse({ description: '`link_expired` or `link_used` (a link works once).' }),
    ApiNotFoundResponse({ description: '`links_disabled` (no NOTIFY_LINK_SECRET) or `approval_not_found`.' }),
  );

/**
 * GET /links/:token shows what a one-click link would do; POST does it. No bearer token:
 * the signed link is the credential, and it names the reviewer it acts as.
 */
@ApiTags('notification links')
@Controller('links')
@UseFilters(LinkPageFilter)
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Get(':token')
  @Page()
  @ApiOperation({
    summary: 'What a one-click link would do',
    description:
      'An HTML page naming the act, the action and its consequence, with one button that POSTs back. Never decides: link previews and scanners open links.',
  })
  @ApiOkResponse({ description: 'The confirmation page.' })
  async show(@Param('token') token: string): Promise<string> {
    return confirmationPage(await this.links.preview(token, new Date()));
  }

  @Post(':token')
  @HttpCode(200)
  @Page()
  @ApiOperation({
    summary: 'Take the act of a one-click link',
    description:
      'Approves or denies as the reviewer the link was made for, through the same rules as POST /approvals/:id/approve and /deny. The link is then used up.',
  })
  @ApiOkResponse({ description: 'The result page.' })
  async use(@Param('token') token: string): Promise<string> {
    const { claims, result, action, approvalUrl } = await this.links.use(token, new Date());
    return resultPage({
      act: claims.act,
      action,
      status: result.status,
      approvals: result.approvals,
      requiredApprovals: result.required_approvals,
      approvalUrl,
    });
  }
}
