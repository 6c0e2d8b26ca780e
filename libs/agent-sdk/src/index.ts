export * from './errors';
export * from './guard';
export * from './pending-store';
export * from './resolution-book';
export * from './hitl-agent';
