import { fileAt } from '@hitl/messaging';
import { auditorsConfig, collectAuditorTokens, manifestConfig, serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';
import { retentionConfig } from './retention/retention-policy';
import { oneSigningKey, signingConfig } from './verify/head-signing.config';

/** The audit reads MANIFEST_PATH for each action's `redact` paths; each feature adds its own settings. */
const settings = serviceConfig({ clientId: 'hitl-audit', port: 3003 })
  .extend(manifestConfig.shape)
  .extend(auditorsConfig.shape)
  .extend(signingConfig.shape)
  .extend(retentionConfig.shape)
  .extend({
    /**
     * A file holding the password of the audit's writer role (`<schema>_writer`), for a server
     * that asks for one: the audit sets it on the role at each start and writes through it.
     */
    AUDIT_WRITER_PASSWORD_FILE: fileAt({ trimNewline: true }).optional(),
  })
  .superRefine(oneSigningKey);

export const auditConfig = z.preprocess(collectAuditorTokens, settings);

export type AuditConfig = z.output<typeof auditConfig>;
