// A module hook that makes `pg` impossible to resolve, as on a machine without it installed.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(
      'export async function resolve(specifier, context, next) { if (specifier === "pg" || specifier.startsWith("pg/")) throw Object.assign(new Error("Cannot find package \'pg\'"), { code: "ERR_MODULE_NOT_FOUND" }); return next(specifier, context); }',
    ),
);
