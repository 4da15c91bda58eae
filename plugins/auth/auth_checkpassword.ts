// auth/auth_checkpassword: placeholder (issue 6), being written.

import { Plugin } from '../../src/plugin/plugin';

export default class AuthCheckpassword extends Plugin {}
