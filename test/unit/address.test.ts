import t from 'tap';
import { Address, canonify } from '../../src/address/address';

t.test('canonify', async (t) => {
  t.same(canonify('<a@b.c>'), { user: 'a', host: 'b.c' });
});
