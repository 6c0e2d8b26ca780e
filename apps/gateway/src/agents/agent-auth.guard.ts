import { SERVICE_TRUST, Trust, bearerToken, hashToken } from '@hitl/service-kit';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { GatewayAgent } from './gateway-agent';
import { malformedAuthorization, missingToken, unknownToken } from './agents.errors';

/** The parts of an HTTP request the guard uses. */
export interface AgentRequest {
  headers: Record<string, string | string[] | undefined>;
  agent?: GatewayAgent;
}

/** `Authorization: Bearer <agent token>`, or 401: the token is hashed and looked up in the registry's gateway_token_sha256. */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  private readonly byHash: ReadonlyMap<string, GatewayAgent>;

  constructor(@Inject(SERVICE_TRUST) trust: Trust) {
    this.byHash = new Map(trust.gatewayAgents.map((a) => [a.tokenSha256, { id: a.id, workspaces: a.workspaces }]));
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<AgentRequest>();
    const header = request.headers.authorization;
    const bearer = bearerToken(Array.isArray(header) ? header[0] : header);
    const agent = 'token' in bearer ? this.byHash.get(hashToken(bearer.token)) : undefined;
    if (!agent) {
      http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Bearer realm="hitl-gateway"');
      if ('problem' in bearer) throw bearer.problem === 'missing' ? missingToken() : malformedAuthorization();
      throw unknownToken();
    }
    request.agent = agent;
    return true;
  }
}
