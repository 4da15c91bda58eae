// whitelist: exempt listed client addresses (whitelisthosts, by prefix) and
// senders (whitelistsenders) from the checks of the plugins after it (they
// become immune), note listed HELO names (whitelisthelo) and env
// WHITELISTCLIENT, and accept listed recipients (whitelistrcpt). Each match
// ends its hook's chain with OK.
//
//   whitelist [per_recipient 1] [merge 0|1]
//
// per_recipient 1: every check runs at RCPT instead, and any match accepts
// that recipient; merge is accepted for compatibility and changes nothing.
//
// docs: docs/plugins/whitelist.md

import type { Address } from '../src/address/address';
import { UNKNOWN_PEER } from '../src/connection/peer';
import { DECLINED, LOGDEBUG, LOGINFO, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

declare module '../src/api/notes' {
  interface ConnectionNotes {
    /** Env WHITELISTCLIENT was set (whitelist). */
    whitelistclient?: number;
    /** The HELO/EHLO name is in whitelisthelo (whitelist). */
    whitelisthelo?: number;
  }
  interface TransactionNotes {
    /** How many recipients whitelistrcpt accepted (whitelist). */
    whitelistrcpt?: number;
  }
}

const HOST_KARMA = 5;

export default class Whitelist extends Plugin {
  private heloHost: string | undefined;

  register(_qp: Qp): void {
    if (!isTrue(this.get_arg('per_recipient'))) {
      this.register_hook('connect', 'checkHost');
      this.register_hook('helo', 'checkHelo');
      this.register_hook('ehlo', 'checkHelo');
      this.register_hook('mail', 'checkSender');
      this.register_hook('rcpt', 'checkRcpt');
      return;
    }
    // Per recipient: remember the HELO name and decide everything at RCPT.
    this.register_hook('helo', 'rememberHelo');
    this.register_hook('ehlo', 'rememberHelo');
    this.register_hook('rcpt', 'checkHost');
    this.register_hook('rcpt', 'checkHeloAtRcpt');
    this.register_hook('rcpt', 'checkSenderAtRcpt');
    this.register_hook('rcpt', 'checkRcpt');
  }

  checkHost(): HookResult {
    const ip = this.connection.remote_ip();
    if (!ip) return DECLINED;
    if (process.env.WHITELISTCLIENT !== undefined) {
      this.connection.notes('whitelistclient', 1);
      return this.pass(`${ip} is a whitelisted client (WHITELISTCLIENT)`, HOST_KARMA);
    }
    // The unknown peer of a pipe session (decision 7) matches no whitelisthosts entry.
    const entry = ip === UNKNOWN_PEER.ip ? undefined : this.list('whitelisthosts').find((h) => ip.startsWith(h));
    if (entry === undefined) {
      this.log(LOGDEBUG, `skip, ${ip} is not whitelisted`);
      return DECLINED;
    }
    this.connection.notes('whitelisthost', 1);
    return this.pass(`${ip} is a whitelisted host (${entry})`, HOST_KARMA);
  }

  checkHelo(_transaction: Transaction, host: string | undefined): HookResult {
    const helo = host?.toLowerCase();
    if (!helo || !this.list('whitelisthelo').some((h) => h.toLowerCase() === helo)) return DECLINED;
    this.connection.notes('whitelisthelo', 1);
    return this.pass(`helo host ${host} in whitelisthelo`);
  }

  checkSender(transaction: Transaction, sender: Address | undefined): HookResult {
    if (!sender || !this.listedAddress('whitelistsenders', sender)) return DECLINED;
    transaction.notes('whitelistsender', 1);
    return this.pass(`envelope sender ${sender.address().toLowerCase()} in whitelistsenders`);
  }

  checkRcpt(transaction: Transaction, recipient: Address): HookResult {
    if (!this.listedAddress('whitelistrcpt', recipient)) return DECLINED;
    transaction.notes('whitelistrcpt', (transaction.notes('whitelistrcpt') ?? 0) + 1);
    return this.pass(`recipient ${recipient.address().toLowerCase()} in whitelistrcpt`);
  }

  rememberHelo(_transaction: Transaction, host: string | undefined): HookResult {
    this.heloHost = host;
    return DECLINED;
  }

  checkHeloAtRcpt(transaction: Transaction): HookResult {
    return this.checkHelo(transaction, this.heloHost);
  }

  checkSenderAtRcpt(transaction: Transaction): HookResult {
    return this.checkSender(transaction, transaction.sender());
  }

  /** user@host or its host is listed (whole entries, any case); never the null sender. */
  private listedAddress(file: string, address: Address): boolean {
    const host = address.host()?.toLowerCase();
    if (address.isNull() || !address.user() || !host) return false;
    const full = address.address().toLowerCase();
    return this.list(file).some((entry) => {
      const e = entry.toLowerCase();
      return e === full || e === host;
    });
  }

  private list(file: string): string[] {
    return this.qp.config(file, 'list');
  }

  private pass(why: string, karma = 0): HookResult {
    this.log(LOGINFO, `pass, ${why}`);
    if (karma) this.adjust_karma(karma);
    return OK;
  }
}

/** A Perl-true argument: present, not "" and not "0". */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}
