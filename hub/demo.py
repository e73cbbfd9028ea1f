"""Demo data: a believable Swedish grocery and convenience store, made by code."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.models import Lane, Product
from hub.services.auth import add_user
from sync.demo_catalog import demo_catalog

DEMO_USERS = [
    # username, display name, role, PIN (documented in README: demo only)
    ("admin", "Alva Admin", "admin", "9999"),
    ("maria", "Maria Chef", "manager", "1234"),
    ("erik", "Erik Kassör", "cashier", "1111"),
    ("sara", "Sara Kassör", "cashier", "2222"),
]

DEMO_LANES = [
    ("1", "register", "Kassa 1"),
    ("2", "register", "Kassa 2"),
    ("3", "register", "Kassa 3"),
    ("K1", "kiosk", "Självscanning 1"),
    ("K2", "kiosk", "Självscanning 2"),
    ("W1", "phone", "Mobilkassa"),
]


def demo_products() -> list[Product]:
    """The demo catalog as hub products, with opening stock."""
    return [Product(**item.model_dump(), on_hand=stock) for item, stock in demo_catalog()]


def load_demo_data(session: Session) -> bool:
    """Fill an empty hub with the demo store; does nothing when products already exist."""
    if session.exec(select(Product.id).limit(1)).first() is not None:
        return False
    for lane_id, kind, name in DEMO_LANES:
        if session.get(Lane, lane_id) is None:
            session.add(Lane(id=lane_id, kind=kind, name=name))
    for product in demo_products():
        session.add(product)
    for username, display_name, role, pin in DEMO_USERS:
        add_user(session, username, display_name, role, pin)
    return True
