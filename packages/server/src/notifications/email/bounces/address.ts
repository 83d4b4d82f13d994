/**
 * VERP (variable envelope return path): each mail goes out with its own envelope sender,
 * `local+<delivery id>@domain` for COUNTERSIGN_MAIL_BOUNCE_ADDRESS `local@domain`, so a
 * bounce comes back to an address that names the delivery, whatever the bouncing server
 * quotes of the original. Plus-addressing delivers every such address to the one mailbox.
 */
export function verpAddress(bounceAddress: string, deliveryId: string): string {
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${deliveryId}${bounceAddress.slice(at)}`;
}

const VERP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The delivery id in a VERP address made by {@link verpAddress} from `bounceAddress`, or null. */
export function verpDeliveryId(address: string, bounceAddress: string): string | null {
  const at = bounceAddress.lastIndexOf('@');
  const local = bounceAddress.slice(0, at).toLowerCase();
  const domain = bounceAddress.slice(at + 1).toLowerCase();
  const given = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const givenAt = given.lastIndexOf('@');
  if (givenAt < 0 || given.slice(givenAt + 1) !== domain) return null;
  const givenLocal = given.slice(0, givenAt);
  if (!givenLocal.startsWith(`${local}+`)) return null;
  const id = givenLocal.slice(local.length + 1);
  return VERP_ID.test(id) ? id : null;
}
