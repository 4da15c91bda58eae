// logging/adaptive: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingAdaptive extends Plugin {}
