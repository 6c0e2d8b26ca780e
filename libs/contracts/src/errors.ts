// The catalogue of contract errors: a DLQ reason and an HTTP 4xx name the same code.
export type ContractViolationCode =
  'empty_message' | 'invalid_json' | 'unsupported_character' | 'invalid_envelope' | 'unknown_type' | 'wrong_topic' | 'invalid_data';

export interface ContractViolation {
  code: ContractViolationCode;
  message: string;
  /** The decision the message is about, when it could be read, so its agent can be told. */
  decisionId?: string;
  toError(): ContractViolationError;
}

export class ContractViolationError extends Error {
  constructor(
    readonly code: ContractViolationCode,
    message: string,
    readonly decisionId?: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ContractViolationError';
  }
}

export function contractViolation(code: ContractViolationCode, message: string, decisionId?: string): ContractViolation {
  return { code, message, decisionId, toError: () => new ContractViolationError(code, message, decisionId) };
}
