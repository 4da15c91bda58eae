// content_log: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class ContentLog extends Plugin {}
