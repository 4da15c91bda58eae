// earlytalker: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Earlytalker extends Plugin {}
