import { BaseError } from '../shared/index.ts';
import { registerAll } from './commands/index.ts';
import { getCommand, listCommands } from './registry.ts';

function help(): string {
  const rows = listCommands().map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return [
    'usage: keel <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    "'keel <command> --help' shows a command's options.",
  ].join('\n');
}

/** Dispatches `keel <command> ...`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  registerAll();
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 1;
  }
  const command = getCommand(name);
  if (!command) {
    console.error(`keel: unknown command '${name}'\n\n${help()}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof BaseError) {
      console.error(`keel ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
