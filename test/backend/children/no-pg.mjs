// Imports the package without `pg` resolvable: the main entry loads; opening Postgres says what to install.
const hub = await import("../../../dist/index.js");
const { openPostgresBackend } = await import("../../../dist/backend/postgres/index.js");
let result;
try {
  await openPostgresBackend({ connectionString: "postgres://127.0.0.1:1/x" });
  result = { opened: true };
} catch (error) {
  result = { code: error.code, message: error.message };
}
console.log(JSON.stringify({ mainLoaded: typeof hub.openFileBackend === "function", ...result }));
