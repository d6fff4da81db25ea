// Runs the command line (the package's bin points at the compiled form of this file).
import { main } from './cli.js';

main().catch((err: unknown) => {
  process.stderr.write(`octane-emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
