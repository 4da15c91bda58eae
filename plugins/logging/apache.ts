// logging/apache: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingApache extends Plugin {}
