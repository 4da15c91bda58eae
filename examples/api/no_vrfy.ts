// examples/api/no_vrfy.ts
// no_vrfy: VRFY is refused ("554 VRFY is disabled here") instead of getting
// the core's "252 Just try sending a mail ...". A plugin written as an object
// of hook functions; definePlugin types them.
import { DENY, LOGINFO, definePlugin } from 'qpsmtpd';

export default definePlugin({
  hook_vrfy() {
    this.log(LOGINFO, `VRFY refused for ${this.connection.remote_ip()}`);
    return [DENY, 'VRFY is disabled here'];
  },
});
