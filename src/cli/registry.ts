import { BaseError } from '../shared/index.ts';

export interface Command {
  name: string;
  /** One line for `keel help`. */
  summary: string;
  usage: string;
  /** Resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}

export class CliError extends BaseError {
  override name = 'CliError';
}

const commands = new Map<string, Command>();

export function registerCommand(command: Command): void {
  if (commands.has(command.name)) throw new CliError(`command ${command.name} is registered twice`);
  commands.set(command.name, command);
}

export function getCommand(name: string): Command | undefined {
  return commands.get(name);
}

export function listCommands(): Command[] {
  return [...commands.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `--name value` / `--name=value` / `--flag` options; `spec` maps each known option to whether it takes a value.
 * Unknown options and missing values are CliErrors.
 */
export function parseOptions(args: string[], spec: Record<string, 'value' | 'flag'>): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new CliError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new CliError(`--${name} takes no value`);
      out[name] = true;
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new CliError(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}
