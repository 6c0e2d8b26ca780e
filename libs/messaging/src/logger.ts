/** The slice of a structured logger (pino's shape) the messaging lib writes to. */
export interface MessagingLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}
