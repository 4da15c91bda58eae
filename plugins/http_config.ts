// http_config: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class HttpConfig extends Plugin {}
