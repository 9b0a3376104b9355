/**
 * The name of a state dir's config file, apart from its parser and validator (load.ts) so
 * that the CLI can tell there is none without loading them.
 */
export const CONFIG_FILE_NAME = "hub.json5";
