import { Module } from '@nestjs/common';
import { ownerAlertRoutesProvider } from './owner-alert-routes';

/** The owners' alert routes, read once: the drift watch posts to them, reports judge monitoring by them. */
@Module({ providers: [ownerAlertRoutesProvider], exports: [ownerAlertRoutesProvider] })
export class OwnerAlertRoutesModule {}
