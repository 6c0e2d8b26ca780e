export declare const KEY_NAMES: readonly string[];
export declare function keyFile(name: string): string;
export declare function jwksFile(name: string): string;
export declare function ensureLocalKeys(log?: (line: string) => void): void;
export declare function localTrustEnv(name: string, env?: Readonly<Record<string, string | undefined>>): Record<string, string>;
