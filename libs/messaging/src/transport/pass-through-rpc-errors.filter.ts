import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands a handler's error to the transport as it was thrown. Nest's default filter turns
 * every error it does not know into "Internal server error", and the transport must read
 * the error itself to tell the database going away (retry) from a value it refused
 * (dead-letter). Register it globally on any app that consumes with KafkaBatchTransport.
 */
@Catch()
export class PassThroughRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
