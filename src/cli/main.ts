/**
 * The `hub` CLI: a thin shell over the library. `main(argv, io)` returns the exit code
 * (0 success, 1 usage error, 2 runtime failure).
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `Usage: hub <command> [options]

Inspect and repair session-hub session stores.

Commands are added as the CLI grows; this build only prints help.

Options:
  -h, --help     show this help
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    io.stdout(USAGE);
    return 0;
  }
  io.stderr(`hub: unknown command "${argv[0]}"\n${USAGE}`);
  return 1;
}
