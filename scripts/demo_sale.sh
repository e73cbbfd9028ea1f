#!/usr/bin/env bash
# A sale through the API against a running demo hub: log in, open a shift, scan, pay cash,
# print the receipt. Usage: scripts/demo_sale.sh [PORT]
set -euo pipefail
HUB="http://127.0.0.1:${1:-8000}/api/v1"
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

TOKEN=$(curl -sf "$HUB/auth/login" -H 'content-type: application/json' \
        -d '{"username":"erik","pin":"1111"}' | py 'd["token"]')
AUTH="Authorization: Bearer $TOKEN"
post() { curl -s "$HUB$1" -H "$AUTH" -H 'content-type: application/json' -d "$2"; }

post /lanes/1/shift/open '{"counted": 100000}' >/dev/null || true   # float 1 000 kr
post /lanes/1/cart/items '{"code": "7310005000015", "quantity": 2}' >/dev/null  # milk ×2
post /lanes/1/cart/items '{"code": "2300101007341"}' >/dev/null      # 734 g bananas (prefix 23)
echo "cart total (öre):" "$(curl -s "$HUB/lanes/1/cart" -H "$AUTH" | py 'd["total"]')"
SALE=$(post /lanes/1/cart/tenders/cash '{"tendered": 10000}' | py 'd["id"]')
curl -s "$HUB/sales/$SALE/receipt" -H "$AUTH"
