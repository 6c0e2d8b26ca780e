export * from './redact';
export * from './record';
export * from './chain';
export * from './signature';
