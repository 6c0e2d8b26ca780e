import { ApiZodBody, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AgentApi, CurrentAgent } from '../agents/agent.decorators';
import { GatewayAgent } from '../agents/gateway-agent';
import { newSecret } from './callback-message';
import { CallbackBody, CallbackView } from './callback-request';
import { findCallback, removeCallback, setCallback } from './callbacks.repository';

type Setting = z.output<typeof CallbackBody>;

const noCallback = () => new NotFoundException({ statusCode: 404, code: 'callback_not_found', message: 'no callback set: PUT /v1/callback sets one' });

/** The calling agent's callback: each outcome of its decisions, POSTed and signed (Standard Webhooks). */
@ApiTags('callback')
@Controller('v1/callback')
@AgentApi()
export class CallbacksController {
  constructor(private readonly dataSource: DataSource) {}

  @Put()
  @ApiOperation({
    summary: 'Set the callback',
    description:
      'Each outcome of the caller’s decisions from now on is POSTed there as `{ type: "hitl.decision.resolved", timestamp, data }`, with the headers `webhook-id`, ' +
      '`webhook-timestamp` and `webhook-signature` of Standard Webhooks, signed with the secret in this answer (shown once; setting the callback again makes a new one). ' +
      'Retried with backoff until a 2xx (a 4xx other than 408 and 429 is not retried).',
  })
  @ApiZodBody(CallbackBody)
  @ApiOkResponse({ description: '`{ url, set_at, secret }`.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `url` is no http(s) URL.' })
  async set(@CurrentAgent() agent: GatewayAgent, @Body(new ZodPipe(CallbackBody)) body: Setting): Promise<CallbackView> {
    const callback = { agent_id: agent.id, url: body.url, secret: newSecret(), set_at: new Date() };
    await setCallback(this.dataSource.manager, callback);
    return { url: callback.url, set_at: callback.set_at.toISOString(), secret: callback.secret };
  }

  @Get()
  @ApiOperation({ summary: 'The callback, without its secret' })
  @ApiOkResponse({ description: '`{ url, set_at }`.' })
  @ApiNotFoundResponse({ description: '`callback_not_found`.' })
  async read(@CurrentAgent() agent: GatewayAgent): Promise<CallbackView> {
    const callback = await findCallback(this.dataSource.manager, agent.id);
    if (!callback) throw noCallback();
    return { url: callback.url, set_at: callback.set_at.toISOString() };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the callback: outcomes still waiting to be posted are given up' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiNotFoundResponse({ description: '`callback_not_found`.' })
  async remove(@CurrentAgent() agent: GatewayAgent): Promise<void> {
    if (!(await removeCallback(this.dataSource.manager, agent.id))) throw noCallback();
  }
}
