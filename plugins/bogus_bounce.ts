// bogus_bounce: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class BogusBounce extends Plugin {}
