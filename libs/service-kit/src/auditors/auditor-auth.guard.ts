import { bearerToken, hashToken } from '../auth/bearer-token';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Auditor, isAuditAdmin } from './auditor';
import { auditAdminOnly, malformedAuthorization, missingToken, unknownToken } from './auditors.errors';
import { AuditorsRegistry } from './auditors.registry';

/** The parts of an HTTP request the guards use. */
export interface AuditorRequest {
  headers: Record<string, string | string[] | undefined>;
  auditor?: Auditor;
}

/** `Authorization: Bearer <token>` of an auditor, or 401. The token is hashed and looked up by its hash. */
@Injectable()
export class AuditorAuthGuard implements CanActivate {
  constructor(private readonly auditors: AuditorsRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<AuditorRequest>();
    const header = request.headers.authorization;
    const bearer = bearerToken(Array.isArray(header) ? header[0] : header);
    const auditor = 'token' in bearer ? this.auditors.byToken(hashToken(bearer.token)) : null;
    if (!auditor) {
      http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Bearer realm="hitl"');
      if ('problem' in bearer) throw bearer.problem === 'missing' ? missingToken() : malformedAuthorization();
      throw unknownToken();
    }
    request.auditor = auditor;
    return true;
  }
}

/** 403 unless the auditor reads every workspace; runs after AuditorAuthGuard. */
@Injectable()
export class AuditAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const auditor = context.switchToHttp().getRequest<AuditorRequest>().auditor;
    if (!auditor || !isAuditAdmin(auditor)) throw auditAdminOnly();
    return true;
  }
}
