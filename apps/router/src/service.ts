import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { RouterConfig, routerConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';
import { CreateDecisions1795313552977 } from './migrations/1795313552977-create-decisions';
import { OutboxAnyBytes1795313557000 } from './migrations/1795313557000-outbox-any-bytes';
import { RecordRepairAttempts1795313558000 } from './migrations/1795313558000-record-repair-attempts';
import { CreatePauses1795313561000 } from './migrations/1795313561000-create-pauses';
import { CreateProbations1795313562000 } from './migrations/1795313562000-create-probations';
import { RecordOutcomes1795313563000 } from './migrations/1795313563000-record-outcomes';

/** The router as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const routerService: ServiceDefinition<RouterConfig> = {
  name: 'router',
  schema: 'router',
  module: AppModule,
  config: routerConfig,
  // Policy outcomes (approval.resolved by policy, approval.requested) carry the router's signature.
  signs: 'router',
  migrations: [
    CreateMessagingTables1795313552976,
    CreateDecisions1795313552977,
    OutboxAnyBytes1795313557000,
    RecordRepairAttempts1795313558000,
    CreatePauses1795313561000,
    CreateProbations1795313562000,
    RecordOutcomes1795313563000,
  ],
  // Partitions are independent: route them side by side, order within each holds.
  consumer: { partitionsConsumedConcurrently: 3 },
};
