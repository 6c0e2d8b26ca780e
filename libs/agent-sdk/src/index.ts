export * from './errors';
export * from './consent';
export * from './guard';
export * from './pending-store';
export * from './resolution-book';
export * from './trust-options';
export * from './hitl-agent';
