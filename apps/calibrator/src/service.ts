import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { CalibratorConfig, calibratorConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';
import { CreateCalibrationTables1795313555000 } from './migrations/1795313555000-create-calibration-tables';
import { OutboxAnyBytes1795313557000 } from './migrations/1795313557000-outbox-any-bytes';
import { CreatePostReviews1795313559000 } from './migrations/1795313559000-create-post-reviews';
import { ClosingTheLoops1795313561000 } from './migrations/1795313561000-closing-the-loops';
import { CreateProbations1795313562500 } from './migrations/1795313562500-create-probations';
import { CreateReviewQuality1795313564200 } from './migrations/1795313564200-create-review-quality';

/** The calibrator as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const calibratorService: ServiceDefinition<CalibratorConfig> = {
  name: 'calibrator',
  schema: 'calibrator',
  module: AppModule,
  config: calibratorConfig,
  migrations: [
    CreateMessagingTables1795313552976,
    CreateCalibrationTables1795313555000,
    OutboxAnyBytes1795313557000,
    CreatePostReviews1795313559000,
    ClosingTheLoops1795313561000,
    CreateProbations1795313562500,
    CreateReviewQuality1795313564200,
  ],
  // Chunks are written with one statement per table; partitions side by side.
  consumer: { partitionsConsumedConcurrently: 3, chunkSize: 500 },
};
