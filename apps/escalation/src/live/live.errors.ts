// The live stream's HTTP errors, each with a stable code clients can match on.
import { HttpException, HttpStatus } from '@nestjs/common';

export const tooManyStreams = (limit: number) =>
  new HttpException(
    {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      code: 'too_many_streams',
      message: `this token already holds ${limit} open live streams on this server (LIVE_STREAMS_PER_TOKEN): close another tab or console first`,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
