// The pushsync command: picks the subcommand and turns its outcome into an exit code
// (0 ok, 1 failure, 2 usage error). bin/pushsync calls `main` with the arguments.
import { Failure, UsageError } from './errors.js';
import { MAIN_HELP, RECORD_HELP, REPLAY_HELP, WATCH_HELP } from './help.js';
import { warn } from './output.js';
import { replay } from './replay.js';
import { watch } from './watch.js';

const HELP: Record<string, string> = { watch: WATCH_HELP, record: RECORD_HELP, replay: REPLAY_HELP };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(MAIN_HELP);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(rest[0] && HELP[rest[0]] ? HELP[rest[0]]! : MAIN_HELP);
    return 0;
  }
  if (command === '--version') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const help = HELP[command];
  if (!help) {
    warn(`unknown command '${command}' (watch, record, replay; pushsync --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help);
    return 0;
  }
  try {
    if (command === 'replay') return await replay(rest);
    return await watch(command as 'watch' | 'record', rest);
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`${command}: ${error.message} (pushsync ${command} --help)`);
      return 2;
    }
    if (error instanceof Failure) {
      warn(error.message);
      return 1;
    }
    warn(`${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
