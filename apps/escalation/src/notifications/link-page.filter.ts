import { SERVICE_LOGGER } from '@hitl/service-kit';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { PAGE_HEADERS, problemPage } from './link-page';

interface PageResponse {
  setHeader(name: string, value: string): void;
  status(code: number): { send(body: string): void };
}

/** Link routes answer people in a browser: every error is a small page with its status and code. */
@Catch()
@Injectable()
export class LinkPageFilter implements ExceptionFilter {
  constructor(@Inject(SERVICE_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<PageResponse>();
    let status = 500;
    let code = 'internal_error';
    let message = 'something went wrong on our side; try the link again in a moment';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const fields = typeof body === 'object' && body !== null ? (body as { code?: unknown; message?: unknown }) : {};
      code = typeof fields.code === 'string' ? fields.code : `http_${status}`;
      message = typeof fields.message === 'string' ? fields.message : exception.message;
    } else {
      this.logger.error({ err: exception }, 'notification link failed');
    }
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
    response.status(status).send(problemPage(status, code, message));
  }
}
