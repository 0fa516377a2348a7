// The API token of a signed-in person: kept in sessionStorage only (gone
// when the tab closes, never in the URL, never in localStorage), sent as
// "Authorization: Bearer …" with the app's own API and tile requests.
//
// The role comes from GET /api/v1/me; a token the server does not know
// gets 401.

const key = 'sozialatlas.token';

export type Role = 'viewer' | 'analyst' | 'editor' | 'admin';

export interface Session {
  /** The role the API names; null when it does not. */
  role: Role | null;
  canEdit: boolean;
}

let memory: string | null = null;

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage blocked: keep the token in memory for this page only
  }
}

export function getToken(): string | null {
  return storage()?.getItem(key) ?? memory;
}

export function setToken(token: string | null): void {
  memory = token;
  const st = storage();
  if (!st) return;
  if (token) st.setItem(key, token);
  else st.removeItem(key);
}

/** The Authorization header for the app's own requests, when signed in. */
export function authHeaders(): Record<string, string> {
  const t = getToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Asks the API who a token is (GET /api/v1/me); throws the problem's detail when the token is refused. */
export async function probe(token: string): Promise<Session> {
  const res = await fetch('/api/v1/me', { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
  if (res.ok) {
    const me = (await res.json()) as { role: string; edits_offers: boolean };
    return { role: me.role === 'anonymous' ? null : (me.role as Role), canEdit: me.edits_offers };
  }
  let detail = res.statusText;
  try {
    const p = (await res.json()) as { detail?: string; title?: string };
    detail = p.detail ?? p.title ?? detail;
  } catch {
    // not a problem document
  }
  throw new Error(detail || String(res.status));
}
