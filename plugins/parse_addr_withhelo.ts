// parse_addr_withhelo: placeholder, being written.
import { Plugin } from '../src/plugin/plugin';

export default class ParseAddrWithhelo extends Plugin {}
