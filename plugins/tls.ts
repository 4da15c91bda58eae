// tls: placeholder (issue 6), being written.

import { Plugin } from '../src/plugin/plugin';

export default class Tls extends Plugin {}
