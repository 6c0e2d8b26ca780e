export * from './trace-context';
export * from './start';
