// connection_time: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class ConnectionTime extends Plugin {}
