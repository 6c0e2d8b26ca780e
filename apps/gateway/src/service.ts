import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { GatewayConfig, gatewayConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';
import { OutboxAnyBytes1795313557000 } from './migrations/1795313557000-outbox-any-bytes';
import { CreateGatewayDecisions1795313565000 } from './migrations/1795313565000-create-gateway-decisions';
import { CreateCallbacks1795313565100 } from './migrations/1795313565100-create-callbacks';
import { RecordExecutions1795313565200 } from './migrations/1795313565200-record-executions';
import { CreateClarifications1795313565300 } from './migrations/1795313565300-create-clarifications';

/** The agent gateway as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const gatewayService: ServiceDefinition<GatewayConfig> = {
  name: 'gateway',
  schema: 'gateway',
  module: AppModule,
  config: gatewayConfig,
  // The proposals of the agents it authenticated carry the gateway's signature (the contract allows it for agents registered to use it).
  signs: 'gateway',
  migrations: [
    CreateMessagingTables1795313552976,
    OutboxAnyBytes1795313557000,
    CreateGatewayDecisions1795313565000,
    CreateCallbacks1795313565100,
    RecordExecutions1795313565200,
    CreateClarifications1795313565300,
  ],
};
