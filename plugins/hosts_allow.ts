// hosts_allow: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class HostsAllow extends Plugin {}
