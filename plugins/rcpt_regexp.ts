// rcpt_regexp: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class RcptRegexp extends Plugin {}
