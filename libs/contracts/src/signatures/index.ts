export * from './keys';
export * from './sign';
export * from './keyring';
export { ed25519Backend, useEd25519Backend, useVerifyThreads, type Ed25519Backend } from './ed25519';
