import { runService } from '@hitl/service-kit';
import { routerService } from './service';

void runService(routerService, process.env, process.argv.slice(2));
