// auth/auth_ldap_bind: placeholder (issue 6), being written.

import { Plugin } from '../../src/plugin/plugin';

export default class AuthLdapBind extends Plugin {}
