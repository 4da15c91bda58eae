// naughty: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Naughty extends Plugin {}
