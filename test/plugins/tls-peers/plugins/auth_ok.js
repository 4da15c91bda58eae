// A stand-in password check for the tls plugin's tests (tls_before_auth):
// user good@example.com with password secret, through AUTH PLAIN.
const { DENY, OK } = require('qpsmtpd');

module.exports = {
  hook_auth_plain(_transaction, _mechanism, user, password) {
    return user === 'good@example.com' && password === 'secret' ? [OK, 'auth_ok'] : [DENY, 'auth_ok'];
  },
};
