// The spool directory: where message bodies above size_threshold and the
// plugins' temporary files go. Created on first use, so a session that
// never spools never touches the disk for it.

import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SpoolSettings {
  /** --spool-dir, else config spool_dir; undefined: ~/tmp as in qpsmtpd. */
  dir(): string | undefined;
  /** config spool_perms (octal text), default 0700. */
  perms(): string | undefined;
  warn(message: string): void;
}

export class Spool {
  private resolved: string | undefined;
  private counter = 0;

  constructor(private readonly settings: SpoolSettings) {}

  /** The directory, ending in "/"; created with the configured mode when missing. */
  dir(): string {
    if (this.resolved !== undefined) return this.resolved;
    let dir = this.settings.dir() ?? join(homedir(), 'tmp');
    if (!dir.endsWith('/')) dir += '/';
    const permsText = this.settings.perms() ?? '0700';
    const perms = /^[0-7]{3,4}$/.test(permsText) ? parseInt(permsText, 8) : 0o700;
    try {
      const st = statSync(dir);
      if ((st.mode & 0o7777) !== perms) this.settings.warn(`Permissions on spool_dir ${dir} are not 0${perms.toString(8)}`);
    } catch {
      mkdirSync(dir, { recursive: true, mode: perms });
    }
    this.resolved = dir;
    return dir;
  }

  /** "<spool dir><unix time>:<pid>:<counter>", as qpsmtpd names its temporary files. */
  tempPath(): string {
    return `${this.dir()}${Math.floor(Date.now() / 1000)}:${process.pid}:${this.counter++}`;
  }

  /** A new directory in the spool with the given mode. */
  tempDir(mode = 0o700): string {
    const path = this.tempPath();
    mkdirSync(path, { mode });
    return path;
  }
}
