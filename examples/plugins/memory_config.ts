// plugins.pod, "Config files" and hook_config: config values served from
// memory (a database, an HTTP service ...) instead of files. Every
// this.qp.config(name) call asks the config hooks first; [OK, ...values] are
// the values, DECLINED lets the next plugin or the config file answer.
//
//   config/plugins:  memory_config name=value[,value ...] ...
//                    (first, so the plugins after it see its values)
//
// e.g. `memory_config me=mx.example.net rcpthosts=example.net,.example.org`
// gives the greeting and Received lines mx.example.net and makes rcpt_ok
// accept example.net and the subdomains of example.org, whatever the files
// me and rcpthosts say; every other name still comes from its file. The
// config hook must answer synchronously (it runs inside config()).
// config/plugins and config/logging themselves are read before any plugin
// is loaded, so they always come from their files.

import { DECLINED, LOGDEBUG, OK, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class MemoryConfig extends Plugin {
  private readonly values = new Map<string, string[]>();

  register(_qp: Qp, ...pairs: string[]): void {
    for (const pair of pairs) {
      const match = /^([^=]+)=(.*)$/.exec(pair);
      if (!match) throw new Error(`memory_config: "${pair}" is not name=value[,value ...]`);
      this.values.set(match[1]!, match[2]!.split(',').filter((v) => v !== ''));
    }
  }

  hook_config(_transaction: Transaction | undefined, name: string): HookResult {
    const values = this.values.get(name);
    if (values === undefined) return DECLINED;
    this.log(LOGDEBUG, `${name} from memory: ${values.join(', ')}`);
    return [OK, ...values];
  }
}
