// examples/api/temp_disable_connection.js
// The smallest plugin of qpsmtpd's plugin guide, as a CommonJS file: every
// connection is refused for now ("450 Sorry, ..."), and closed.
const { DENYSOFT } = require('qpsmtpd');

module.exports = {
  hook_connect() {
    return [DENYSOFT, 'Sorry, server is temporarily unavailable.'];
  },
};
