// Two small plugin files for the plugin tests that run dist/qpsmtpd: one
// that reports the connection notes at the end of the session (in a stderr
// log line), and one that sets a connection note at connect (a stand-in for
// a plugin that defers a rejection early, as dnsbl does).
//
//   const probe = noteProbe(t);
//   const r = await pluginSession(t, input, { plugins: ['set_note naughty_reject_type temp', 'naughty reject connect', probe.plugin], args: probe.args });
//   probe.notes(r.stderr)  ->  { karma: -1, naughty: '...', naughty_reject_type: 'temp' }

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

const MARKER = 'NOTES ';
const KEYS = ['karma', 'naughty', 'naughty_reject_type'];

const PROBE = `// note_probe: logs the connection notes ${KEYS.join(', ')} as JSON after the session.
module.exports = {
  hook_post_connection() {
    const notes = {};
    for (const key of ${JSON.stringify(KEYS)}) notes[key] = this.connection.notes(key);
    this.log(3, ${JSON.stringify(MARKER)} + JSON.stringify(notes));
    return 909;
  },
};
`;

const SETTER = `// set_note <key> <value ...>: sets a connection note at connect ("\\\\r\\\\n" in the value is a CRLF).
module.exports = {
  init(qp, key, ...words) {
    this.key = key;
    this.value = words.join(' ').replace(/\\\\r\\\\n/g, '\\r\\n');
  },
  hook_connect() {
    this.connection.notes(this.key, this.value);
    return 909;
  },
};
`;

export interface NoteProbe {
  /** --plugin-dir for the two plugins. */
  args: string[];
  /** The config/plugins line of the probe (put it anywhere; it reports at post-connection). */
  plugin: string;
  /** The notes the probe reported in a session's stderr. */
  notes(stderr: string): Record<string, unknown>;
}

export function noteProbe(t: Test): NoteProbe {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-probe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'note_probe.js'), PROBE);
  writeFileSync(join(dir, 'set_note.js'), SETTER);
  return {
    args: ['--plugin-dir', dir],
    plugin: 'note_probe',
    notes(stderr) {
      const line = stderr.split('\n').find((l) => l.includes(MARKER));
      if (!line) throw new Error(`no notes reported; stderr:\n${stderr}`);
      const notes = JSON.parse(line.slice(line.indexOf(MARKER) + MARKER.length)) as Record<string, unknown>;
      for (const key of KEYS) if (!(key in notes)) notes[key] = undefined;
      return notes;
    },
  };
}
