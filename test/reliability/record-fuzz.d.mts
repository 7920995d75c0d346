export declare const TYPES: { null: null; number: number; string: string; array: unknown[]; object: object; bool: boolean };
export declare const FIELDS: string[];
export declare function fullRecord(id: string): Record<string, unknown>;
export declare function writeFuzzRegistry(runsDir: string): { good: string[]; variants: { id: string; field: string; type: string }[] };
export declare function fuzzCommands(
  runsDir: string,
  registry: { good: string[]; variants: { id: string; field: string; type: string }[] },
): Promise<{ fields: number; types: number; commands: number; calls: number; crashes: string[]; goodMissing: number }>;
