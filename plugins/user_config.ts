// user_config: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class UserConfig extends Plugin {}
