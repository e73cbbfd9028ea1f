// What the kiosk knows right now; views read it, app.js and the views change it.
export const state = {
  lane: null,
  cart: null, // the lane's cart as the hub last sent it (SalePublic)
  screen: "loading",
  ageChecked: new Set(), // product ids staff were already called for, this customer
};

const screens = {};
const PAYMENT_KEY = "kassa.kiosk.payment";

export function registerScreen(name, view) {
  screens[name] = view;
}

/** Switch the visible screen; each view may have enter() / leave(). */
export function show(name, arg) {
  const previous = state.screen;
  if (previous !== name && screens[previous] && screens[previous].leave) screens[previous].leave();
  state.screen = name;
  document.body.dataset.screen = name;
  if (screens[name] && screens[name].enter) screens[name].enter(arg, previous);
}

/** The card payment in flight survives a page reload: its request_id and the hub's id. */
export const pendingPayment = {
  get() {
    try { return JSON.parse(localStorage.getItem(PAYMENT_KEY)); } catch { return null; }
  },
  set(value) {
    localStorage.setItem(PAYMENT_KEY, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(PAYMENT_KEY);
  },
};

export function $(selector) {
  return document.querySelector(selector);
}

/** Run an async action with the button(s) disabled, so a double tap never sends twice. */
export async function busy(buttons, action) {
  const list = Array.isArray(buttons) ? buttons : [buttons];
  if (list.some((b) => b && b.dataset.busy === "1")) return undefined;
  list.forEach((b) => { if (b) { b.dataset.busy = "1"; b.disabled = true; } });
  try {
    return await action();
  } finally {
    list.forEach((b) => { if (b) { delete b.dataset.busy; b.disabled = false; } });
  }
}

let toastTimer = null;
export function toast(text, ms = 3500) {
  const el = $("#toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}

export function modal(text) {
  $("#modal-text").textContent = text;
  $("#modal").hidden = false;
}
