// The examples of docs/testing-plugins.md run as tests: the example test
// file imports 'qpsmtpd' and 'qpsmtpd/testing' as an author's test would,
// so both names are mapped to this source tree, then the file is loaded
// and its tests run here.

import * as api from '../../src/api';
import { provideModule } from '../../src/plugin/api-module';
import * as testing from '../../src/testing';

provideModule('qpsmtpd', api);
provideModule('qpsmtpd/testing', testing);
require('../../examples/testing/local_users.test');
