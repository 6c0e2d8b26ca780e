export * from './config';
export * from './outcome';
export * from './tools';
export * from './http';
export * from './logger';
export { run } from './main';
