// examples/api/config_static.ts
// config_static name=value[,value...] ...: answers config lookups from its
// own arguments instead of files (a stand-in for a database). An argument
// "user@host/name=value" answers config(name, address) for that address.
// Config hooks are asked on every config() call and must answer at once:
// they return a result, never a promise.
import { DECLINED, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class ConfigStatic extends Plugin {
  private values = new Map<string, string[]>();

  init(_qp: Qp, ...args: string[]): void {
    for (const arg of args) {
      const eq = arg.indexOf('=');
      if (eq > 0) this.values.set(arg.slice(0, eq), arg.slice(eq + 1).split(','));
    }
  }

  hook_config(_transaction: Transaction | undefined, name: string): HookResult {
    const values = this.values.get(name);
    return values ? [OK, ...values] : DECLINED;
  }

  hook_user_config(_transaction: Transaction | undefined, address: Address, name: string): HookResult {
    const values = this.values.get(`${address.address()}/${name}`);
    return values ? [OK, ...values] : DECLINED;
  }
}
