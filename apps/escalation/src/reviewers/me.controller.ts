import { Controller, Get } from '@nestjs/common';
import { AuthenticatedReviewer } from './reviewer-profile';
import { Authenticated, Reviewer } from './reviewer.decorators';

/** GET /me: the caller's own profile, for any authenticated reviewer. */
@Controller('me')
@Authenticated()
export class MeController {
  @Get()
  me(@Reviewer() reviewer: AuthenticatedReviewer): AuthenticatedReviewer {
    return reviewer;
  }
}
