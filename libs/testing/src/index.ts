export * from './clients';
export * from './topics';
export * from './trust';
export * from './launcher';
export * from './service-process';
export * from './waits';
export * from './own-postgres';
