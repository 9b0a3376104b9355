export interface Cluster {
  readonly port: number;
  readonly dir: string;
  url(database?: string): string;
  createDatabase(prefix?: string): Promise<string>;
  start(): Promise<unknown>;
  stop(mode?: "smart" | "fast" | "immediate"): Promise<unknown>;
  destroy(): Promise<void>;
}
export function findPostgresBin(): string | undefined;
export function requirePostgresBin(): string;
export function freePort(): Promise<number>;
export function startCluster(options?: { fsync?: boolean; port?: number }): Promise<Cluster>;
