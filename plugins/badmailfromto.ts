// badmailfromto: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Badmailfromto extends Plugin {}
