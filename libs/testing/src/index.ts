export * from './clients';
export * from './topics';
