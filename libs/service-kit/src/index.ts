export * from './config/config';
export * from './logging/logger';
export * from './database/service-schema';
export * from './tokens';
export * from './service-definition';
export * from './service-kit.module';
export * from './service-app';
