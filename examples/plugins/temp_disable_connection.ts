// plugins.pod, "Anatomy of a plugin": temp_disable_connection, the smallest
// useful plugin. One hook that returns one constant: every connection is
// refused for now (450) before the greeting, and closed.
//
// Written function-style with definePlugin(), as the Perl original is a bare
// `sub hook_connect`: `this` is the plugin, and the hook is type-checked
// against the hook table (src/api/hooks.ts).
//
//   config/plugins:  temp_disable_connection

import { DENYSOFT, definePlugin } from 'qpsmtpd';

export default definePlugin({
  hook_connect() {
    return [DENYSOFT, 'Sorry, server is temporarily unavailable.'];
  },
});
