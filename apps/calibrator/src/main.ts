import { runService } from '@hitl/service-kit';
import { calibratorService } from './service';

void runService(calibratorService, process.env, process.argv.slice(2));
