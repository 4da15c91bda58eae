// Every reply the core sends, in one place: the fixed texts, and for each
// hook a table from the plugins' result to the reply and what follows it.

import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../constants';

/** What the core does after a hook's result. */
export type FollowUp =
  | 'continue' // go on with the command
  | 'stop' // the command ends here (plugin took over or it was refused)
  | 'reset' // refused; the transaction is reset
  | 'disconnect'; // refused; the connection is closed

export interface ReplySpec {
  /** Reply code; none means nothing is sent (DONE: the plugin answered). */
  code?: number;
  /** Default text (lines), used when the plugin gave none or when pluginText is false. */
  text?: (ctx: ReplyContext) => string[];
  /** false: the plugin's text is ignored (qpsmtpd ignores it for OK at connect, MAIL, RCPT ...). */
  pluginText?: boolean;
  then: FollowUp;
}

export interface ReplyContext {
  me: string;
  /** The address of MAIL/RCPT, formatted. */
  address?: string;
  /** "helo" or "ehlo". */
  command?: string;
  /** AUTH: the mechanism (upper-case), the user and the client's IP. */
  mechanism?: string;
  user?: string;
  ip?: string;
}

export type ReplyTable = Partial<Record<number, ReplySpec>> & { default: ReplySpec };

/** The reply for a hook result: its own row, or the default row. */
export function replyFor(table: ReplyTable, code: number): ReplySpec {
  return table[code] ?? table.default;
}

const t =
  (text: string) =>
  (): string[] => [text];

export const TEXT = {
  greeting: (me: string, version: string) => `${me} ESMTP qpsmtpd ${version} ready; send us your mail, but not your spam.`,
  quit: (me: string) => `${me} closing connection. Have a wonderful day.`,
  timeout: (me: string) => `${me} Timeout, closing transmission channel`,
  unavailable: (me: string) => `${me} Service temporarily unavailable, closing transmission channel`,
  lineTooLong: 'Line too long',
  unrecognized: 'Unrecognized command',
  heloNoHost: (cmd: string) => `${cmd} requires domain/address - see RFC-2821 4.1.1.1`,
  heloRepeat: 'but you already said HELO ...',
  heloHi: (me: string, info: string, ip: string) => `${me} Hi ${info} [${ip}]`,
  heloHappy: 'I am so happy to meet you.',
  mailNoHello: 'please say hello first ...',
  mailUnparsable: 'could not parse your mail from command',
  sizeExceeded: 'Message size exceeds fixed maximum message size',
  rcptNoMail: 'Use MAIL before RCPT',
  rcptUnparsable: 'could not parse recipient',
  syntaxError: 'Syntax error in command',
  dataNoMail: 'MAIL first',
  dataNoRcpt: 'RCPT first',
  goAhead: 'go ahead',
  bareLf: 'See http://smtpd.develooper.com/barelf.html',
  incompleteData: 'Incomplete DATA',
  tooBig: 'Message too big!',
  ok: 'OK',
  help: (version: string | undefined) => [
    version === undefined ? 'This is qpsmtpd ' : `This is qpsmtpd ${version}`,
    'See http://smtpd.develooper.com/',
    'To report bugs or send comments, mail to <ask@develooper.com>.',
  ],
} as const;

export const CONNECT: ReplyTable = {
  [DENY]: { code: 550, text: t('Connection from you denied, bye bye.'), then: 'disconnect' },
  [DENY_DISCONNECT]: { code: 550, text: t('Connection from you denied, bye bye.'), then: 'disconnect' },
  [DENYSOFT]: { code: 450, text: t('Connection from you temporarily denied, bye bye.'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 450, text: t('Connection from you temporarily denied, bye bye.'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { then: 'continue' }, // the greeting follows
};

/** pre-connection (decision 8): as qpsmtpd's forkserver answers it. */
export const PRE_CONNECTION: ReplyTable = {
  [DENY]: { code: 550, text: t('Connection from you denied, bye bye.'), then: 'disconnect' },
  [DENY_DISCONNECT]: { code: 550, text: t('Connection from you denied, bye bye.'), then: 'disconnect' },
  [DENYSOFT]: { code: 451, text: t('Connection from you temporarily denied, bye bye.'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 451, text: t('Connection from you temporarily denied, bye bye.'), then: 'disconnect' },
  default: { then: 'continue' },
};

/** helo and ehlo; unlike qpsmtpd, refusals have default texts and no extra 451 line (decision 3). */
export const HELO: ReplyTable = {
  [DENY]: { code: 550, text: (c) => [`${c.command} denied`], then: 'stop' },
  [DENYSOFT]: { code: 450, text: (c) => [`${c.command} temporarily denied`], then: 'stop' },
  [DENY_DISCONNECT]: { code: 550, text: (c) => [`${c.command} denied`], then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 450, text: (c) => [`${c.command} temporarily denied`], then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { then: 'continue' }, // the 250 greeting follows
};

export const MAIL: ReplyTable = {
  [DENY]: { code: 550, text: (c) => [`${c.address}, denied`], then: 'stop' },
  [DENYSOFT]: { code: 450, text: (c) => [`${c.address}, temporarily denied`], then: 'stop' },
  [DENY_DISCONNECT]: { code: 550, text: (c) => [`${c.address}, denied`], then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 421, text: (c) => [`${c.address}, temporarily denied`], then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: {
    code: 250,
    text: (c) => [`${c.address}, sender OK - how exciting to get mail from you!`],
    pluginText: false,
    then: 'continue',
  },
};

export const RCPT: ReplyTable = {
  [OK]: { code: 250, text: (c) => [`${c.address}, recipient ok`], pluginText: false, then: 'continue' },
  [DENY]: { code: 550, text: t('relaying denied'), then: 'stop' },
  [DENYSOFT]: { code: 450, text: t('relaying denied'), then: 'stop' },
  [DENY_DISCONNECT]: { code: 550, text: t('delivery denied'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 421, text: t('relaying denied'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { code: 450, text: t('No plugin decided if relaying is allowed'), pluginText: false, then: 'stop' },
};

export const DATA: ReplyTable = {
  [DENY]: { code: 554, text: t('Message denied'), then: 'reset' },
  [DENYSOFT]: { code: 451, text: t('Message denied temporarily'), then: 'reset' },
  [DENY_DISCONNECT]: { code: 554, text: t('Message denied'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 451, text: t('Message denied temporarily'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { then: 'continue' },
};

export const DATA_HEADERS_END: ReplyTable = {
  [DENY_DISCONNECT]: { code: 554, text: t('Message denied'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 421, text: t('Message denied temporarily'), then: 'disconnect' },
  default: { then: 'continue' },
};

export const DATA_POST: ReplyTable = {
  [DENY]: { code: 552, text: t('Message denied'), then: 'reset' },
  [DENYSOFT]: { code: 452, text: t('Message denied temporarily'), then: 'reset' },
  [DENY_DISCONNECT]: { code: 552, text: t('Message denied'), then: 'disconnect' },
  [DENYSOFT_DISCONNECT]: { code: 452, text: t('Message denied temporarily'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { then: 'continue' }, // queueing follows
};

const QUEUE_DECLINED = t('Queuing declined or disabled; try again later');

/** queue_pre: anything but OK/DECLINED/DONE gets the 451 instead of qpsmtpd's silence (decision 3). */
export const QUEUE_PRE: ReplyTable = {
  [OK]: { then: 'continue' },
  [DECLINED]: { then: 'continue' },
  0: { then: 'continue' },
  [DONE]: { then: 'stop' },
  default: { code: 451, text: QUEUE_DECLINED, pluginText: false, then: 'reset' },
};

/** queue: the transaction is reset before this reply, whatever the result. */
export const QUEUE: ReplyTable = {
  [OK]: { code: 250, text: t('Queued'), then: 'continue' },
  [DENY]: { code: 552, text: t('Message denied'), then: 'continue' },
  [DENYSOFT]: { code: 452, text: t('Message denied temporarily'), then: 'continue' },
  [DONE]: { then: 'stop' },
  default: { code: 451, text: QUEUE_DECLINED, then: 'continue' },
};

export const UNRECOGNIZED: ReplyTable = {
  [DENY]: { code: 500, text: t(TEXT.unrecognized), then: 'stop' },
  [DENY_DISCONNECT]: { code: 521, text: t('Unrecognized command, closing connection'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { code: 500, text: t(TEXT.unrecognized), pluginText: false, then: 'stop' },
};

export const VRFY: ReplyTable = {
  [OK]: { code: 250, text: t('User OK'), then: 'stop' },
  [DENY]: { code: 554, text: t('Access Denied'), then: 'reset' },
  [DONE]: { then: 'stop' },
  default: { code: 252, text: t("Just try sending a mail and we'll see how it turns out ..."), pluginText: false, then: 'stop' },
};

export const NOOP: ReplyTable = {
  [DENY]: { code: 500, text: t('Stop wasting my time.'), then: 'stop' },
  [DENY_DISCONNECT]: { code: 500, text: t('Stop wasting my time.'), then: 'disconnect' },
  [DONE]: { then: 'stop' },
  default: { code: 250, text: t(TEXT.ok), pluginText: false, then: 'stop' },
};

/** help: the default text depends on config, so the handler supplies it. */
export const HELP: ReplyTable = {
  [DENY]: { code: 500, text: t('Syntax error, command not recognized'), then: 'stop' },
  [DONE]: { then: 'stop' },
  default: { code: 214, then: 'stop' },
};

export const QUIT: ReplyTable = {
  [DONE]: { then: 'disconnect' },
  default: { code: 221, text: (c) => [TEXT.quit(c.me)], then: 'disconnect' },
};

/** AUTH refusals before or during the SASL exchange (behaviour §2.10; decision 3: every answer gets one). */
export const AUTH_TEXT = {
  already: 'but you already said AUTH ...',
  afterHelo: 'AUTH not defined for HELO',
  tlsFirst: 'SSL/TLS required before AUTH',
  inTransaction: 'AUTH not permitted during a mail transaction',
  unimplemented: (mechanism: string) => `Unimplemented authentication mechanism: ${mechanism}`,
  canceled: 'Authentication canceled',
  badBase64: 'Invalid base64 data',
  invalid: (detail?: string) => (detail ? `Authentication invalid (${detail})` : 'Authentication invalid'),
  invalidFor: (user: string) => `Authentication invalid for ${user}`,
  invalidString: 'Invalid authentication string',
} as const;

/** The codes of those refusals. */
export const AUTH_CODE = {
  already: 503,
  afterHelo: 503,
  tlsFirst: 503,
  inTransaction: 503,
  unimplemented: 504,
  canceled: 501,
  badBase64: 501,
  invalid: 535,
  invalidFor: 535,
  invalidString: 504,
} as const;

/**
 * The auth hooks' verdict. A plugin's text is added after " - ", as in
 * qpsmtpd. DENYSOFT (a password backend that is down) answers 454, so the
 * client tries again later instead of telling its user the password is wrong.
 */
export const AUTH: ReplyTable = {
  [OK]: { code: 235, text: (c) => [`${c.mechanism} authentication successful for ${c.user}`], then: 'continue' },
  [DENYSOFT]: {
    code: 454,
    text: (c) => [`${c.mechanism} authentication temporarily failed for ${c.user} from ${c.ip}`],
    then: 'stop',
  },
  [DENY_DISCONNECT]: {
    code: 535,
    text: (c) => [`${c.mechanism} authentication failed for ${c.user} from ${c.ip}`],
    then: 'disconnect',
  },
  [DENYSOFT_DISCONNECT]: {
    code: 421,
    text: (c) => [`${c.mechanism} authentication temporarily failed for ${c.user} from ${c.ip}`],
    then: 'disconnect',
  },
  default: { code: 535, text: (c) => [`${c.mechanism} authentication failed for ${c.user} from ${c.ip}`], then: 'stop' },
};
