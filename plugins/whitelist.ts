// whitelist: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Whitelist extends Plugin {}
