export * from './values';
export * from './inbox';
export * from './live';
export * from './queues';
export * from './decisions';
export * from './reviewer';
export * from './classifications';
export * from './pauses';
