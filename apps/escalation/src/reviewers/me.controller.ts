import { Me } from '@hitl/reviewer-api';
import { Controller, Get } from '@nestjs/common';
import { AuthenticatedReviewer } from './reviewer-profile';
import { Authenticated, Reviewer } from './reviewer.decorators';

/** GET /me: the caller's own profile, for any authenticated reviewer. */
@Controller('me')
@Authenticated()
export class MeController {
  @Get()
  me(@Reviewer() reviewer: AuthenticatedReviewer): Me {
    const { id, name, roles, workspaces, available, capacity, admin, auditor } = reviewer;
    // The dates as JSON writes them anyway, so the answer is typed as it reads on the wire.
    return {
      id,
      name,
      roles,
      workspaces,
      available,
      capacity,
      admin,
      auditor,
      created_at: reviewer.created_at.toISOString(),
      updated_at: reviewer.updated_at.toISOString(),
    };
  }
}
