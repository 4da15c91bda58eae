// quit_fortune: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class QuitFortune extends Plugin {}
