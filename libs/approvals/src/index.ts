export * from './approval';
export * from './assignment';
export * from './timers';
export * from './authority';
