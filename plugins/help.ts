// help: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class Help extends Plugin {}
