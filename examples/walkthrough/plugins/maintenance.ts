// examples/walkthrough/plugins/maintenance.ts
// maintenance: every connection gets "450 Closed for maintenance ..." and is closed.
import { DENYSOFT } from 'qpsmtpd';

export const hook_connect = () => [DENYSOFT, 'Closed for maintenance, please try again in an hour'];
