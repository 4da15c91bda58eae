// logging/transaction_id: placeholder, being written.
import { Plugin } from '../../src/plugin/plugin';

export default class LoggingTransactionId extends Plugin {}
