/** The Postgres backend passes the conformance suite (one fresh schema per test). */
import { openPostgresBackend, type PostgresBackend } from "../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../support/postgres.js";
import { describeBackendConformance } from "./conformance.js";

const database = usePostgresDatabase("conformance");
let schemas = 0;

describeBackendConformance(
  "postgres",
  async ({ now }) => {
    const connectionString = database();
    const schema = `t${++schemas}`;
    const backend = await openPostgresBackend({ connectionString, schema, now });
    const peers: PostgresBackend[] = [];
    return {
      backend,
      peer: async () => {
        // Another replica: its own pool and connections on the same schema.
        const peer = await openPostgresBackend({ connectionString, schema, now });
        peers.push(peer);
        return peer;
      },
      cleanup: async () => {
        await Promise.all([backend, ...peers].map((b) => b.close()));
      },
    };
  },
);
