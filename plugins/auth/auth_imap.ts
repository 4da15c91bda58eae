// auth/auth_imap: placeholder (issue 6), being written.

import { Plugin } from '../../src/plugin/plugin';

export default class AuthImap extends Plugin {}
