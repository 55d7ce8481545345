// Who is signed in (GET /api/me), in the top bar, with the load balancer's sign-out; nothing
// shows without sign-in (AUTH_MODE=none: one owner, no account).
import { getJson } from './api.js';
import { ui } from './dom.js';

export async function showAccount() {
  let me;
  try {
    me = await getJson('/api/me');
  } catch (error) {
    console.warn('Could not read /api/me', error);
    return;
  }
  if (me.signed_in_via === 'none') return;
  ui.accountName.textContent = me.email || me.owner;
  ui.accountAdmin.hidden = !me.admin;
  if (typeof me.sign_out_url === 'string' && me.sign_out_url.startsWith('/')) {
    ui.signOut.href = me.sign_out_url;
    ui.signOut.hidden = false;
  }
  ui.account.hidden = false;
}
