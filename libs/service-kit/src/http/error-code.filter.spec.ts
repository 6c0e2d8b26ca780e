import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { codeOf } from './error-code.filter';

/** body-parser's errors: a plain Error with `status` and `type`. */
function parserError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type });
}

describe('the code of a refusal that did not name one', () => {
  it.each([
    ['a body that is not JSON', 400, parserError(400, 'entity.parse.failed', 'Unexpected token } in JSON'), 'invalid_json'],
    ['a body over the limit', 413, parserError(413, 'entity.too.large', 'request entity too large'), 'payload_too_large'],
    ['a charset body-parser cannot read', 415, parserError(415, 'charset.unsupported', 'unsupported charset "LATIN1"'), 'unsupported_media_type'],
    ['the same error wrapped as its cause', 400, new HttpException('x', 400, { cause: parserError(400, 'entity.parse.failed', 'x') }), 'invalid_json'],
    ['a path that cannot be decoded', 400, new BadRequestException("Failed to decode param '%ZZ'"), 'invalid_path'],
    ['an unknown route', 404, new NotFoundException('Cannot GET /nowhere'), 'not_found'],
    ['a plain 413 of Nest', 413, new PayloadTooLargeException(), 'payload_too_large'],
    ['a status without a name of ours', 418, new HttpException("I'm a teapot", 418), 'http_418'],
  ])('%s', (_name, status, exception, code) => {
    expect(codeOf(status, exception)).toBe(code);
  });
});
