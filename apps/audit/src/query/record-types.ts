/** Rows of the record that are not events of the contract. */

/** A message a consumer could not read (kept redacted, or only described): audit-trail's deadLetterRecord. */
export const DEAD_LETTER_TYPE = 'hitl.dead_letter';

/** What a retention run removed: written by the retention job as the next link of the chain. */
export const RETENTION_EVENT_TYPE = 'hitl.audit.retention.v1';
