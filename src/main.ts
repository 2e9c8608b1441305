#!/usr/bin/env node
import { commands } from './cli/commands.js';
import { isAppError } from './errors.js';

function help(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const first = ['serve', 'worker', 'migrate'];
  const names = [
    ...first,
    ...Object.keys(commands)
      .filter((name) => !first.includes(name))
      .sort(),
  ];
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${commands[name]!.summary}`);
  return [
    'Usage: laurel <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'laurel <command> --help' for a command's details. Configuration comes from the environment (see README).",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name = 'serve', ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0] && commands[args[0]];
    console.log(topic ? topic.usage : help());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(isAppError(error) ? `${error.code}: ${error.message}` : error);
    process.exit(1);
  },
);
