import { runService } from '@hitl/service-kit';
import { escalationService } from './service';

void runService(escalationService, process.env, process.argv.slice(2));
