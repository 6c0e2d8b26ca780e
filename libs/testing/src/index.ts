export * from './clients';
export * from './topics';
export * from './trust';
