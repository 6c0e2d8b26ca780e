// What an app's main.ts is, for the kit's tests to run as a child process.
import { runService } from '../../src';
import { testService } from './test-service';

void runService(testService('kit_exit'), process.env);
