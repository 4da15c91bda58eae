// random_error: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class RandomError extends Plugin {}
