// helo: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Helo extends Plugin {}
