import { messagingMigration } from '@hitl/messaging';

export class CreateMessagingTables1795313552976 extends messagingMigration('0001-inbox-and-outbox') {}
