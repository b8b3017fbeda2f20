export const pgbouncerPath: string;

/** Installs Debian's pgbouncer with apt-get unless it is there; throws when that fails. */
export function ensurePgbouncer(): void;

export type Pgbouncer = {
  port: number;
  /** The URL of `database` through this pgbouncer. */
  url(database: string): string;
  /** What pgbouncer has logged so far. */
  output(): string;
  stop(): Promise<void>;
};

/** Starts pgbouncer in transaction mode in front of the PostgreSQL server of `postgresUrl`. */
export function startPgbouncer(options: { postgresUrl: string; poolSize?: number }): Promise<Pgbouncer>;
