// Money is an integer count of minor units; formatting is string work, never float arithmetic.
const EXPONENT = { SEK: 2, EUR: 2, NOK: 2, DKK: 2, USD: 2, JPY: 0, KWD: 3 };
const SYMBOL = { SEK: "kr", NOK: "kr", DKK: "kr", EUR: "€", USD: "$", JPY: "¥", KWD: "KWD" };
const NBSP = "\u00a0";

/** "12,50 kr" from 1250 SEK; "1 234,50 kr" with a thin group space; "−5,00 kr" below zero. */
export function formatMoney(minor, currency = "SEK") {
  if (!Number.isInteger(minor)) throw new TypeError(`amount ${minor} is not whole minor units`);
  const exp = EXPONENT[currency] ?? 2;
  const digits = String(Math.abs(minor)).padStart(exp + 1, "0");
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const frac = exp ? "," + digits.slice(digits.length - exp) : "";
  const sign = minor < 0 ? "\u2212" : "";
  return `${sign}${whole}${frac}${NBSP}${SYMBOL[currency] ?? currency}`;
}

/** "0,734" kg from 734 g. */
export function formatKg(grams) {
  const digits = String(grams).padStart(4, "0");
  return `${digits.slice(0, -3)},${digits.slice(-3)}`;
}

/** "25" or "12" or "6,5" from basis points. */
export function formatRate(bp) {
  const whole = Math.trunc(bp / 100);
  const rest = bp % 100;
  return rest ? `${whole},${String(rest).padStart(2, "0").replace(/0$/, "")}` : String(whole);
}
