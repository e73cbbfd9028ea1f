#!/usr/bin/env bash
# Two sales through the API against a running demo hub (`make demo`): log in, open a shift,
# scan, pay cash, then pay by card on the emulated ZVT terminal, and print both receipts.
# Usage: scripts/demo_sale.sh [PORT]
set -euo pipefail
HUB="http://127.0.0.1:${1:-8000}/api/v1"
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

TOKEN=$(curl -sf "$HUB/auth/login" -H 'content-type: application/json' \
        -d '{"username":"erik","pin":"1111"}' | py 'd["token"]')
AUTH="Authorization: Bearer $TOKEN"
post() { curl -s "$HUB$1" -H "$AUTH" -H 'content-type: application/json' -d "$2"; }
get() { curl -s "$HUB$1" -H "$AUTH"; }

post /lanes/1/shift/open '{"counted": 100000}' >/dev/null   # float 1 000 kr (once per shift)
post /lanes/1/cart/items '{"code": "7310005000015", "quantity": 2}' >/dev/null  # milk ×2
post /lanes/1/cart/items '{"code": "2300101007341"}' >/dev/null      # 734 g bananas (prefix 23)
echo "cart total (öre): $(get /lanes/1/cart | py 'd["total"]')"
SALE=$(post /lanes/1/cart/tenders/cash '{"tendered": 10000}' | py 'd["id"]')
get "/sales/$SALE/receipt"

echo; echo "--- now a card sale on the emulated ZVT terminal ---"
post /lanes/1/cart/items '{"code": "7310005000558"}' >/dev/null     # coffee
PAY=$(post /lanes/1/cart/tenders/card '{}' | py 'd["id"]')
for _ in $(seq 100); do
    STATUS=$(get "/payments/$PAY" | py 'd["status"]')
    case "$STATUS" in created|sent|in_progress) sleep 0.1 ;; *) break ;; esac
done
echo "card payment: $STATUS"
SALE=$(get "/sales?lane_id=1&limit=1" | py 'd[0]["id"]')
get "/sales/$SALE/receipt"
