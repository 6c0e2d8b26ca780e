import { Module } from '@nestjs/common';
import { ManifestController } from './manifest.controller';
import { ManifestStore } from './manifest.store';

@Module({ controllers: [ManifestController], providers: [ManifestStore], exports: [ManifestStore] })
export class ManifestModule {}
