import { messagingMigration } from '@hitl/messaging';

/** Dead letters carry whatever the refused message held: the outbox keeps keys and headers as bytes. */
export class OutboxAnyBytes1795313557000 extends messagingMigration('0002-outbox-any-bytes') {}
