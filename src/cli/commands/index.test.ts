/** The command table main.ts builds the CLI from: each entry's module defines exactly that command. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, describeCommand } from './index.js';

describe('COMMANDS', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s: its module registers that command with the table's description", async (name, entry) => {
    const program = new Command();
    (await entry.load()).register(program);
    expect(program.commands.map((c) => c.name())).toEqual([name]);
    expect(program.commands[0].description()).toBe(entry.description);
    expect(describeCommand(name)).toBe(entry.description);
  });

  it('names are unique', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});
