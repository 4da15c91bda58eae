// logging/syslog: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingSyslog extends Plugin {}
