// auth/authdeny: placeholder (issue 6), being written.

import { Plugin } from '../../src/plugin/plugin';

export default class Authdeny extends Plugin {}
