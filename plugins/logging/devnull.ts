// logging/devnull: throws every log line away. Answering DECLINED counts as
// "handled", so the core's own stderr output is off too: nothing is logged
// anywhere.
//
// docs: docs/plugins/logging/devnull.md

import { DECLINED } from '../../src/constants';
import type { HookResult } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingDevnull extends Plugin {
  hook_logging(): HookResult {
    return DECLINED;
  }
}
