"""The hub's tables, one file per area."""

from hub.models.catalog import Lane, Product
from hub.models.customer import Customer
from hub.models.delivery import ReceiptDelivery
from hub.models.fiscal import DayReport, RegisterEvent
from hub.models.payment import PaymentAttempt
from hub.models.qr import QrAttempt, WebhookReceipt
from hub.models.records import AuditEntry, JournalEntry, OutboxEvent, StockMovement
from hub.models.refund import Refund, RefundLine, RefundTender
from hub.models.rollup import SalesDay, SalesHour
from hub.models.sale import Sale, SaleLine, Tender
from hub.models.settlement import CardSettlement
from hub.models.shift import CashMovement, Shift
from hub.models.sync import PickupOrder, SyncRejection, SyncState
from hub.models.user import AuthToken, Device, PairingCode, PinFailure, User

__all__ = [
    "AuditEntry", "AuthToken", "CardSettlement", "CashMovement", "Customer", "DayReport",
    "Device",
    "JournalEntry", "Lane", "OutboxEvent", "PairingCode", "PaymentAttempt", "PickupOrder",
    "PinFailure", "Product", "QrAttempt", "ReceiptDelivery", "Refund", "RefundLine",
    "RefundTender", "RegisterEvent", "Sale", "SaleLine", "SalesDay", "SalesHour", "Shift",
    "StockMovement", "SyncRejection", "SyncState", "Tender", "User", "WebhookReceipt",
]
