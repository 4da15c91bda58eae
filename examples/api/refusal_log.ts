// examples/api/refusal_log.ts
// refusal_log: notes every refusal any plugin gives (the deny hook runs after
// each DENY, DENYSOFT, DENY_DISCONNECT or DENYSOFT_DISCONNECT result) and
// logs a count when the session ends. The disconnect handler is registered
// by name with register_hook instead of being called hook_disconnect.
import { DECLINED, LOGNOTICE, Plugin, return_code, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

declare module 'qpsmtpd' {
  interface ConnectionNotes {
    /** "<plugin> <code name> <text>" for every refusal (refusal_log). */
    refusals?: string[];
  }
}

export default class RefusalLog extends Plugin {
  register(_qp: Qp): void {
    this.register_hook('disconnect', 'summary');
  }

  hook_deny(_transaction: Transaction, plugin: string, code: number, message: string): HookResult {
    const refusals = this.connection.notes('refusals') ?? [];
    refusals.push(`${plugin} ${String(return_code(code))} ${message}`);
    this.connection.notes('refusals', refusals);
    return DECLINED;
  }

  summary(): HookResult {
    const count = this.connection.notes('refusals')?.length ?? 0;
    this.log(LOGNOTICE, `${this.hook_name()}: ${count} refusal(s)`);
    return DECLINED;
  }
}
