// The API token of a signed-in person: kept in sessionStorage only (gone
// when the tab closes, never in the URL, never in localStorage), sent as
// "Authorization: Bearer …" with the app's own API and tile requests.
//
// The API has no "who am I" route, so the role is found by asking a route
// that needs the editor role (GET /api/v1/audit?limit=1): 200 means editor
// or admin, 401 a token the server does not know, 403 a lower role, which
// the problem's detail names ("… your token has viewer").

const key = 'sozialatlas.token';

export type Role = 'viewer' | 'analyst' | 'editor' | 'admin';

export interface Session {
  /** The role when the API named it (it does for roles below editor). */
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

/** Reads the role from a 403 problem's detail ("… your token has viewer"). */
export function roleFromDetail(detail: string): Role | null {
  const m = /your token has (viewer|analyst|editor|admin)\b/.exec(detail);
  return m ? (m[1] as Role) : null;
}

/** Asks the API what a token may do; throws the problem's detail when the token is refused. */
export async function probe(token: string): Promise<Session> {
  const res = await fetch('/api/v1/audit?limit=1', { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
  if (res.ok) return { role: null, canEdit: true }; // editor or admin: the API does not say which
  let detail = res.statusText;
  try {
    const p = (await res.json()) as { detail?: string; title?: string };
    detail = p.detail ?? p.title ?? detail;
  } catch {
    // not a problem document
  }
  if (res.status === 403) return { role: roleFromDetail(detail), canEdit: false };
  throw new Error(detail || String(res.status));
}
