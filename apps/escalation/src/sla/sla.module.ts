import { Module } from '@nestjs/common';
import { SlaScanner } from './sla-scanner.service';

@Module({ providers: [SlaScanner], exports: [SlaScanner] })
export class SlaModule {}
