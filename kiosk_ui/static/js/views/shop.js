// Shopping: scan (keyboard-wedge or hub scanner), browse and search, the cart with + / − / remove.
import { get, patch, post } from "../api.js";
import { formatKg, formatMoney } from "../money.js";
import { onLangChange, t } from "../i18n.js";
import { $, busy, modal, show, state, toast } from "../state.js";

const SEARCH_DELAY_MS = 250;

export function shopView({ applyCart }) {
  const scan = $("#scan");
  const search = $("#search");
  const catalog = { products: null, category: null, results: null };
  const ageLimits = new Map(); // product id → age limit, from look-ups and the catalog
  let scanQueue = Promise.resolve();
  let searchTimer = null;

  const lanePath = (rest) => `/lanes/${state.lane}/cart${rest}`;

  // --- scanning ---------------------------------------------------------------------------
  $("#scan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = scan.value.trim();
    scan.value = "";
    if (code) enqueue(() => scanCode(code));
  });

  // Scans arrive faster than the hub answers: keep their order, drop none.
  function enqueue(job) {
    scanQueue = scanQueue.then(job, job);
  }

  async function scanCode(code) {
    let product;
    try {
      product = await get(`/products/by-barcode/${encodeURIComponent(code)}`);
    } catch (err) {
      toast(err.status === 0 ? t("pay.offline") : t("shop.not_found", { code }), 5000);
      return;
    }
    await addItem({ code, quantity: 1 }, product);
  }

  async function addItem(body, product) {
    // Known before the cart comes back, so the line is drawn with its age badge at once.
    if (product.age_limit) ageLimits.set(product.id, product.age_limit);
    try {
      applyCart(await post(lanePath("/items"), body));
    } catch (err) {
      toast(err.status === 409 ? t("cart.locked") : t("shop.add_failed"), 5000);
      return;
    }
    if (product.age_limit && !state.ageChecked.has(product.id)) {
      state.ageChecked.add(product.id);
      modal(t("age.notice", { name: product.name, age: product.age_limit }));
      post(`/lanes/${state.lane}/assist`, {
        reason: "age_check", note: `${product.name} (${product.age_limit}+)`.slice(0, 200),
      }).catch(() => state.ageChecked.delete(product.id));
    } else {
      toast(t("shop.added", { name: product.name }), 1500);
    }
  }

  // Keep the scan field focused so a keyboard-wedge scanner always types into it.
  function refocus() {
    if (state.screen !== "shop" || !$("#modal").hidden) return;
    const active = document.activeElement;
    if (active === search || active === scan) return;
    scan.focus({ preventScroll: true });
  }
  scan.addEventListener("blur", () => setTimeout(refocus, 0));
  document.addEventListener("click", () => setTimeout(refocus, 0));
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Escape") scan.focus();
  });

  // --- browsing ---------------------------------------------------------------------------
  async function loadCatalog() {
    if (catalog.products) return;
    // The hub has no category list yet: read the catalog by code prefix (every GTIN is digits).
    const parts = await Promise.all(
      [..."0123456789"].map((d) => get(`/products?q=${d}&limit=200`).catch(() => [])),
    );
    const byId = new Map();
    parts.flat().forEach((p) => { if (p.active) byId.set(p.id, p); });
    catalog.products = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, "sv"));
    catalog.products.forEach((p) => { if (p.age_limit) ageLimits.set(p.id, p.age_limit); });
    renderCategories();
    renderProducts();
    if (state.cart) renderCart(); // lines drawn before the catalog came may now need a badge
  }

  function renderCategories() {
    const nav = $("#categories");
    nav.replaceChildren();
    const names = [...new Set((catalog.products || []).map((p) => p.category))].sort((a, b) => a.localeCompare(b, "sv"));
    [null, ...names].forEach((name) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.textContent = name ?? t("shop.all");
      b.setAttribute("aria-pressed", String(catalog.category === name && !catalog.results));
      b.addEventListener("click", () => {
        catalog.category = name;
        catalog.results = null;
        search.value = "";
        renderCategories();
        renderProducts();
      });
      nav.append(b);
    });
  }

  function renderProducts() {
    const list = catalog.results
      ?? (catalog.products || []).filter((p) => catalog.category === null || p.category === catalog.category);
    const box = $("#products");
    box.replaceChildren();
    if (!list.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = catalog.products ? t("shop.no_results") : t("loading");
      box.append(p);
      return;
    }
    list.slice(0, 60).forEach((p) => box.append(productTile(p)));
  }

  function productTile(p) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "product";
    b.dataset.productId = p.id;
    const name = document.createElement("span");
    name.className = "product-name";
    name.textContent = p.name;
    const price = document.createElement("span");
    price.className = "product-price";
    price.textContent = formatMoney(p.price, p.currency) + (p.unit === "kg" ? t("shop.per_kg") : "");
    b.append(name, price);
    if (p.age_limit) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = t("shop.age_badge", { age: p.age_limit });
      b.append(badge);
    }
    if (p.unit === "kg") {
      // A kiosk has no scale: weighed goods are scanned with the label from the store's scale.
      b.disabled = true;
      const note = document.createElement("span");
      note.className = "product-note";
      note.textContent = t("shop.weigh_first");
      b.append(note);
    } else {
      b.addEventListener("click", () => busy(b, () => addItem({ product_id: p.id, quantity: 1 }, p)));
    }
    return b;
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const q = search.value.trim();
    if (!q) {
      catalog.results = null;
      renderCategories();
      renderProducts();
      return;
    }
    searchTimer = setTimeout(async () => {
      try {
        const found = await get(`/products?q=${encodeURIComponent(q)}&limit=60`);
        if (search.value.trim() !== q) return; // a newer search is on its way
        catalog.results = found.filter((p) => p.active);
        found.forEach((p) => { if (p.age_limit) ageLimits.set(p.id, p.age_limit); });
        renderCategories();
        renderProducts();
      } catch { /* the banner shows a lost link; the old list stays */ }
    }, SEARCH_DELAY_MS);
  });

  // --- the cart ---------------------------------------------------------------------------
  function renderCart() {
    const cart = state.cart;
    const lines = cart && cart.status === "open" ? cart.lines.filter((l) => !l.voided) : [];
    const ul = $("#cart-lines");
    ul.replaceChildren(...lines.map((line) => cartLine(line, cart.currency)));
    $("#cart-empty").hidden = lines.length > 0;
    const total = cart && cart.status === "open" ? cart.due : 0;
    $("#cart-total").textContent = formatMoney(total, cart ? cart.currency : "SEK");
    // Age-restricted goods: staff check the ID at the kiosk before it can be paid.
    const waitingForStaff = Boolean(cart && cart.status === "open" && cart.age_check_required);
    $("#age-wait").hidden = !waitingForStaff;
    $("#pay-btn").disabled = !(lines.length && total > 0) || waitingForStaff;
    $("#qr-btn").disabled = $("#pay-btn").disabled;
    $("#cancel-cart").disabled = !lines.length;
  }

  function cartLine(line, currency) {
    const li = document.createElement("li");
    li.className = "line";
    li.dataset.lineId = line.id;
    li.dataset.quantity = line.quantity;
    const name = document.createElement("span");
    name.className = "line-name";
    name.textContent = line.name;
    if (ageLimits.get(line.product_id)) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = t("cart.age_check");
      name.append(" ", badge);
    }
    const amount = document.createElement("span");
    amount.className = "line-amount";
    amount.textContent = formatMoney(line.net, currency);
    const controls = document.createElement("div");
    controls.className = "line-controls";
    const buttons = [];
    const button = (cls, label, text, action) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `btn ${cls}`;
      b.setAttribute("aria-label", label);
      b.textContent = text;
      b.addEventListener("click", () => busy(buttons, action));
      buttons.push(b);
      return b;
    };
    if (line.weight_g === null || line.weight_g === undefined) {
      const less = button("qty-less", t("cart.less"), "\u2212", () => setQuantity(line, line.quantity - 1));
      less.disabled = line.quantity <= 1;
      const qty = document.createElement("span");
      qty.className = "qty";
      qty.textContent = line.quantity;
      const more = button("qty-more", t("cart.more"), "+", () => setQuantity(line, line.quantity + 1));
      controls.append(less, qty, more);
    } else {
      const kg = document.createElement("span");
      kg.className = "qty qty-kg";
      kg.textContent = t("cart.weight", { kg: formatKg(line.weight_g) });
      controls.append(kg);
    }
    controls.append(button("remove", t("cart.remove"), t("cart.remove"), () => voidLine(line)));
    li.append(name, amount, controls);
    return li;
  }

  async function setQuantity(line, quantity) {
    if (quantity < 1) return;
    try {
      applyCart(await patch(lanePath(`/lines/${line.id}`), { quantity }));
    } catch (err) {
      toast(err.status === 409 ? t("cart.locked") : t("cart.change_failed"));
    }
  }

  async function voidLine(line) {
    try {
      applyCart(await post(lanePath(`/lines/${line.id}/void`)));
    } catch (err) {
      toast(err.status === 409 ? t("cart.locked") : t("cart.change_failed"));
    }
  }

  $("#cancel-cart").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    try {
      applyCart(await post(lanePath("/cancel")));
      state.ageChecked.clear();
      toast(t("cart.cancel_confirm"));
      show("attract");
    } catch (err) {
      toast(err.status === 409 ? t("cart.locked") : t("error.generic"));
    }
  }));

  $("#pay-btn").addEventListener("click", () => show("pay"));

  onLangChange(() => {
    renderCategories();
    renderProducts();
    renderCart();
  });

  return {
    enter() {
      renderCart();
      loadCatalog().catch(() => {});
      scan.focus({ preventScroll: true });
    },
    renderCart,
    scanCode: (code) => enqueue(() => scanCode(code)),
  };
}
