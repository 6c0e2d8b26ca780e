import { Me } from '@hitl/reviewer-api';
import { SERVICE_CONFIG } from '@hitl/service-kit';
import { Controller, Get, Inject } from '@nestjs/common';
import { EscalationConfig } from '../config';
import { AuthenticatedReviewer } from './reviewer-profile';
import { Authenticated, Reviewer } from './reviewer.decorators';

/** GET /me: the caller's own profile, for any authenticated reviewer. */
@Controller('me')
@Authenticated()
export class MeController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: EscalationConfig) {}

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
      effective_capacity: capacity ?? this.config.REVIEWER_DEFAULT_CAPACITY,
      admin,
      auditor,
      created_at: reviewer.created_at.toISOString(),
      updated_at: reviewer.updated_at.toISOString(),
    };
  }
}
