// logging/devnull: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingDevnull extends Plugin {}
