import { runService } from '@hitl/service-kit';
import { gatewayService } from './service';

void runService(gatewayService, process.env, process.argv.slice(2));
