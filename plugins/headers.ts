// headers: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Headers extends Plugin {}
