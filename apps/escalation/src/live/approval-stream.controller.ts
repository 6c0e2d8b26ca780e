import { StreamEnding, StreamReady, StreamUnavailable } from '@hitl/reviewer-api';
import { Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi, TokenHash } from '../reviewers/reviewer.decorators';
import { ApprovalChangesService, ChangeSubscriber } from './approval-changes.service';
import { sseComment, sseFrame } from './approval-change';

/** The parts of the HTTP response a stream uses. */
interface StreamResponse {
  /** The connection went away (the reader left), or the response ended. */
  on(event: 'close', listener: () => void): void;
  writeHead(status: number, headers: Record<string, string>): void;
  flushHeaders?(): void;
  write(chunk: string): boolean;
  end(): void;
  writableEnded: boolean;
  /** The connection under it, gone (destroyed) when the reader left before the stream was set up. */
  socket?: { destroyed: boolean } | null;
}

/** A comment line this often keeps idle connections open through proxies. */
export const HEARTBEAT_MS = 15_000;

/** GET /approvals/stream: the caller's approvals as they change, as Server-Sent Events. */
@ReviewerApi('approvals', 'approvals')
export class ApprovalStreamController {
  constructor(private readonly changes: ApprovalChangesService) {}

  @Get('stream')
  @ApiOperation({
    summary: 'Live changes of my approvals (Server-Sent Events)',
    description:
      "An `approval` event for every change of an approval the caller may see under the inbox rule (workspace, and the tier's role or one above it): " +
      '`change` (new, assigned, reassigned, clarifying, resumed, edited, resolved), approval_id, status, resolved_by, and `item` (the approval as an inbox line). ' +
      'A `ready` event first, once listening; comment lines as heartbeats. Bearer-authenticated like the rest, so browsers read it with fetch, not EventSource. ' +
      'Changes while no stream was open are not replayed: reload the inbox after (re)connecting. ' +
      'The stream ends, with a last `end` event (`code: token_revoked`), as soon as its token is revoked or its reviewer removed; ' +
      "a change of the reviewer's roles or workspaces applies to it at once. One token holds at most LIVE_STREAMS_PER_TOKEN streams (default 5) on one server.",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream; it ends when the service stops, or when its token is revoked or its reviewer removed.' })
  @ApiTooManyRequestsResponse({ description: '`too_many_streams`: this token already holds LIVE_STREAMS_PER_TOKEN open streams on this server.' })
  async stream(@Reviewer() reviewer: AuthenticatedReviewer, @TokenHash() tokenHash: string, @Res() response: StreamResponse): Promise<void> {
    const end = (ending?: StreamEnding) => {
      clearInterval(heartbeat);
      if (response.writableEnded) return;
      if (ending) response.write(sseFrame('end', ending));
      response.end();
    };
    const subscriber: ChangeSubscriber = { viewer: reviewer, tokenHash, send: (event) => response.write(sseFrame('approval', event)), close: end };
    // Counted before anything is written, so the extra stream gets a plain 429.
    const unsubscribe = this.changes.add(subscriber);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies (nginx) must pass each event on at once.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders?.();
    // Declared after `end` on purpose: nothing can end the stream before this line runs.
    const heartbeat = setInterval(() => response.write(sseComment('heartbeat')), HEARTBEAT_MS);
    heartbeat.unref();
    response.on('close', () => {
      unsubscribe();
      end();
    });
    // A reader who left while the request was still being authenticated: its 'close' came
    // before anyone listened, so the stream would hold one of the token's places forever.
    if (response.socket?.destroyed) {
      unsubscribe();
      end();
      return;
    }
    try {
      await this.changes.start(subscriber);
      if (!response.writableEnded) response.write(sseFrame('ready', { reviewer: reviewer.id } satisfies StreamReady));
    } catch {
      unsubscribe();
      if (!response.writableEnded)
        response.write(
          sseFrame('error', {
            code: 'stream_unavailable',
            message: 'live changes are unavailable right now; reload the inbox and try again',
          } satisfies StreamUnavailable),
        );
      end();
    }
  }
}
