import { runService } from '@hitl/service-kit';
import { auditService } from './service';

void runService(auditService, process.env, process.argv.slice(2));
