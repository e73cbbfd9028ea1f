// The hub's REST API: JSON in, JSON out, bearer token from the pairing.
const TOKEN_KEY = "kassa.kiosk.token";
const LANE_KEY = "kassa.kiosk.lane";
export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; // 0: the hub could not be reached
    this.code = (body && body.error) || "";
    this.body = body;
  }
}

export const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  get lane() { return localStorage.getItem(LANE_KEY); },
  save(token, lane) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(LANE_KEY, lane);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(LANE_KEY);
  },
};

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, { error: "offline", message: String(err) });
  }
  const data = (res.headers.get("content-type") || "").includes("json") ? await res.json() : null;
  if (!res.ok) {
    if (res.status === 401 && session.token) onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}) => call("POST", path, body);
export const patch = (path, body) => call("PATCH", path, body);

/** A random UUID, also where crypto.randomUUID is missing (plain http on the store LAN). */
export function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
