/** The command table main.ts builds the CLI from: each entry's module defines exactly that command. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeCommand } from './catalog.js';
import { COMMANDS } from './index.js';

describe('COMMANDS', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s: its module registers that command with the table's description", async (name, entry) => {
    const program = new Command();
    (await entry.load()).register(program);
    expect(program.commands.map((c) => c.name())).toEqual([name]);
    expect(program.commands[0].description()).toBe(entry.description);
    expect(describeCommand(name)).toBe(entry.description);
  });

  it('every described command has a module to load', () => {
    expect(COMMANDS).toHaveLength(13);
    for (const c of COMMANDS) expect(typeof c.load, c.name).toBe('function');
  });
});
