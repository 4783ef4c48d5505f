// "Show in folder" outside the desktop shell: which program each platform asks, with the
// path as one argument (never through a shell).
import { describe, expect, it } from 'vitest';
import { openerCommand } from '../../src-main/core/platform/fs/reveal';

describe('openerCommand', () => {
  const target = "/home/dba/backups/shop's prod_full_20261127-090000.dump";
  it('selects the file in Finder on macOS', () => {
    expect(openerCommand(target, 'darwin')).toEqual({ program: 'open', args: ['-R', target] });
  });
  it('selects the file in Explorer on Windows', () => {
    expect(openerCommand('C:\\b\\x.dump', 'win32')).toEqual({ program: 'explorer.exe', args: ['/select,C:\\b\\x.dump'] });
  });
  it('opens the folder with xdg-open elsewhere', () => {
    expect(openerCommand(target, 'linux')).toEqual({ program: 'xdg-open', args: ['/home/dba/backups'] });
  });
});
