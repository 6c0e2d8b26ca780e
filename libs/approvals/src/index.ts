export * from './approval';
export * from './assignment';
export * from './timers';
export * from './authority';
export * from './refusals';
export * from './clarification';
export * from './rollback';
export * from './review';
