// Strings live in ../i18n/<lang>.json; this module only looks them up and fills the page.
export const LANGUAGES = ["sv", "en"];
const STORE_KEY = "kassa.kiosk.lang";
let lang = "sv";
let strings = {};
const listeners = [];

export function currentLang() {
  return lang;
}

export async function loadLang(next) {
  const wanted = LANGUAGES.includes(next) ? next : LANGUAGES[0];
  const res = await fetch(`i18n/${wanted}.json`, { cache: "no-cache" });
  strings = await res.json();
  lang = wanted;
  localStorage.setItem(STORE_KEY, lang);
  document.documentElement.lang = lang;
  applyStatic(document);
  listeners.forEach((fn) => fn(lang));
}

export function savedLang() {
  return localStorage.getItem(STORE_KEY) || LANGUAGES[0];
}

export function nextLang() {
  return LANGUAGES[(LANGUAGES.indexOf(lang) + 1) % LANGUAGES.length];
}

/** The string for key with {name} placeholders filled; the key itself if it is missing. */
export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** Fill every element marked data-i18n (text) or data-i18n-placeholder. */
export function applyStatic(root) {
  root.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
}
