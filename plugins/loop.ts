// loop: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Loop extends Plugin {}
