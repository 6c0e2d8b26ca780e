export * from './keys';
export * from './sign';
export * from './keyring';
