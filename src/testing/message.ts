// A message as the client sends it after DATA: CRLF line ends, leading dots
// doubled, and the final dot.

/**
 * The bytes sent for `message` after a 354: bare LF line ends become CRLF,
 * a line starting with "." gets a second one, a missing last line end is
 * added, then ".\r\n".
 */
export function dataBytes(message: string | Buffer): Buffer {
  const text = Buffer.isBuffer(message) ? message.toString('latin1') : Buffer.from(message, 'utf8').toString('latin1');
  let wire = text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  if (wire !== '' && !wire.endsWith('\r\n')) wire += '\r\n';
  return Buffer.from(`${wire}.\r\n`, 'latin1');
}
