/** What every part of the Postgres backend shares: the database, the schema, the agent, the clock. */
import type { Db } from "./db.js";

export interface Ctx {
  readonly db: Db;
  /** The schema as a quoted SQL identifier (`"session_hub"`, validated), spliced into SQL as `${schema}.table`. */
  readonly schema: string;
  readonly agentId: string;
  readonly now: () => number;
  /** What messages call the place data lives: `postgres://host:port/db (schema x)`. */
  readonly location: string;
}
