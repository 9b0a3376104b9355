/**
 * vitest globalSetup: one throwaway Postgres cluster for the whole run (about 1.5 s to
 * start), stopped and deleted at the end. Test files get its admin URL through
 * `inject("postgresAdminUrl")` and make their own database (`usePostgresDatabase`). A cluster
 * that cannot start fails the run with the reason; Postgres tests are never skipped.
 */
import type { TestProject } from "vitest/node";
import { startCluster } from "./postgres-cluster.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide("postgresAdminUrl", cluster.url("postgres"));
  return () => cluster.destroy();
}
