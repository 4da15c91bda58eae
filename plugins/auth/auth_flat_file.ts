// auth/auth_flat_file: placeholder (issue 6), being written.

import { Plugin } from '../../src/plugin/plugin';

export default class AuthFlatFile extends Plugin {}
