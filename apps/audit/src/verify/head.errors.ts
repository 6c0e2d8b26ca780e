// Head export's errors, each with a stable code.
import { ConflictException, ServiceUnavailableException } from '@nestjs/common';
import { Break } from '@hitl/audit-trail';

export const signingKeyUnset = () =>
  new ServiceUnavailableException({
    statusCode: 503,
    code: 'signing_key_unset',
    message:
      'chain heads cannot be signed: this service has no signing key (set AUDIT_SIGNING_KEY to an Ed25519 private key in PEM, or AUDIT_SIGNING_KEY_FILE to a file holding one)',
  });

/** A head is only signed for a chain that verifies. */
export const chainBroken = (found: Break) =>
  new ConflictException({
    statusCode: 409,
    code: 'chain_broken',
    message: `the chain of ${found.workspace} is broken at chain index ${found.chain_index} (event ${found.event_id}): ${found.reason}; no head is signed for it`,
    first_break: found,
  });
