import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JWK } from 'jose';
import { ServedOn } from '../http/listener';
import type { SigningKey } from './signing-key';

export const SIGNING_KEY = Symbol('SIGNING_KEY');

@ServedOn('public')
@Controller('.well-known/jwks.json')
export class JwksController {
  constructor(@Inject(SIGNING_KEY) private readonly key: SigningKey) {}

  @Get()
  @Header('cache-control', 'public, max-age=300')
  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }
}
