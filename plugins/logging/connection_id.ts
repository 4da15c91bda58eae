// logging/connection_id: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingConnectionId extends Plugin {}
