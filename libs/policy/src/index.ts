export * from './manifest.schema';
export * from './manifest';
export * from './render-template';
export * from './route';
export * from './linear-pattern';
export * from './repair';
export * from './classification';
export * from './probation';
