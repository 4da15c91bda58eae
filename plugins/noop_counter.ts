// noop_counter: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class NoopCounter extends Plugin {}
