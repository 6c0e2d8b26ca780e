import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Jwks } from '@hitl/contracts';
import { SERVICE_TRUST } from '../tokens';
import { Trust } from './trust';

/** The service's public keys (JWKS), so anyone can verify what it signed. Public: nothing secret in it. */
@ApiTags('keys')
@Controller('keys')
export class KeysController {
  constructor(@Inject(SERVICE_TRUST) private readonly trust: Trust) {}

  @Get()
  @ApiOkResponse({ description: 'A JWKS document (RFC 7517) of Ed25519 keys: those this service signs with, the newest last' })
  keys(): Jwks {
    return this.trust.publicKeys;
  }
}
