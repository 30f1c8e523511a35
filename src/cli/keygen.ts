import type { Command } from 'commander';
import { generateKey } from '../crypto/keys.js';
import { EXIT_OK, type CommandContext } from './context.js';

export function registerKeygen(program: Command, context: CommandContext): void {
  program
    .command('keygen')
    .description('print a new random encryption key (base64 of 32 bytes) for GOSSIPD_ENCRYPT, a keyring file or gossipd keys install -')
    .action(() => {
      context.io.stdout(`${generateKey()}\n`);
      context.finish(EXIT_OK);
    });
}
