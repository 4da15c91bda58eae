// rcpt_map: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class RcptMap extends Plugin {}
