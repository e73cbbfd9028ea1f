// Pairing: staff type the code an admin made; the kiosk keeps the device token.
import { post, session } from "../api.js";
import { t } from "../i18n.js";
import { $, busy } from "../state.js";

export function pairingView(onPaired) {
  const form = $("#pair-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const code = $("#pair-code").value.trim().toUpperCase();
    const name = $("#pair-name").value.trim() || t("pair.default_name");
    $("#pair-error").textContent = "";
    await busy($("#pair-submit"), async () => {
      try {
        const res = await post("/devices/pair", { code, name });
        session.save(res.token, res.me.lane_id);
        $("#pair-code").value = "";
        onPaired();
      } catch (err) {
        $("#pair-error").textContent = err.status === 0 ? t("pay.offline") : t("pair.invalid");
      }
    });
  });
  return {
    enter() {
      $("#pair-code").focus();
    },
  };
}
