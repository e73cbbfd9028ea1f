"""Staff login and device pairing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from hub.api.deps import Actor, ActorDep, DbDep, ShopDep, bearer, requires
from hub.api.routing import Router
from hub.services import auth

router = Router(tags=["auth"])


class Login(BaseModel):
    """A username and PIN."""

    username: str = Field(min_length=1, max_length=40)
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")


class Me(BaseModel):
    """Who a token belongs to."""

    role: str
    user_id: int | None
    device_id: int | None
    lane_id: str | None
    name: str


class LoginResult(BaseModel):
    """A bearer token for the logged-in user."""

    token: str
    me: Me


class PairingCodeCreate(BaseModel):
    """Which kind of device, for which lane."""

    role: Literal["kiosk", "terminal", "display"]
    lane_id: str = Field(min_length=1, max_length=32)


class PairingCodePublic(BaseModel):
    """A short-lived code to type on the device."""

    code: str
    role: str
    lane_id: str | None
    expires_at: datetime


class Pair(BaseModel):
    """A device exchanging its pairing code for a token."""

    code: str = Field(min_length=8, max_length=12)
    name: str = Field(min_length=1, max_length=80)


class PairResult(BaseModel):
    """The device's token: keep it; it only has the rights of its role."""

    token: str
    me: Me


def _source(request: Request) -> str:
    return request.client.host if request.client else ""


def _me(actor: Actor) -> Me:
    return Me(role=actor.role, user_id=actor.user_id, device_id=actor.device_id,
              lane_id=actor.lane_id, name=actor.name)


@router.post("/auth/login")
def login(body: Login, request: Request, db: DbDep, shop: ShopDep) -> LoginResult:
    """Log in with username and PIN; repeated wrong PINs lock that user out at this till."""
    with db.write() as s:
        token, user = auth.login(s, body.username, body.pin, shop.settings, _source(request))
    return LoginResult(token=token, me=Me(role=user.role, user_id=user.id, device_id=None,
                                          lane_id=None, name=user.display_name))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, db: DbDep, _: ActorDep,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """End this login (or unpair this device)."""
    if credentials is not None:
        with db.write() as s:
            auth.logout(s, credentials.credentials)
        request.app.state.actors.drop(credentials.credentials)


@router.get("/auth/me")
def me(actor: ActorDep) -> Me:
    """Who this token belongs to."""
    return _me(actor)


@router.post("/devices/pairing-codes", status_code=201)
def create_pairing_code(body: PairingCodeCreate, db: DbDep, shop: ShopDep,
                        actor: Annotated[Actor, Depends(requires("devices.pair"))]
                        ) -> PairingCodePublic:
    """An admin makes a code for a kiosk, terminal or display to pair with."""
    with db.write() as s:
        code, row = auth.create_pairing_code(s, body.role, body.lane_id, actor.user_id,
                                             shop.settings)
    return PairingCodePublic(code=code, role=row.role, lane_id=row.lane_id,
                             expires_at=row.expires_at)


class DevicePublic(BaseModel):
    """A paired device."""

    id: int
    name: str
    role: str
    lane_id: str | None
    paired_at: datetime
    revoked: bool


@router.get("/devices")
def list_devices(db: DbDep, _: Annotated[Actor, Depends(requires("devices.pair"))]
                 ) -> list[DevicePublic]:
    """Every paired device, revoked ones too."""
    with db.read() as s:
        return [DevicePublic.model_validate(d, from_attributes=True) for d in auth.devices(s)]


@router.delete("/devices/{device_id}")
def unpair(device_id: Annotated[int, Path(ge=1, le=2**62)], request: Request, db: DbDep,
           actor: Annotated[Actor, Depends(requires("devices.pair"))]) -> DevicePublic:
    """Unpair a device (stolen kiosk tablet, replaced display): its token stops working."""
    with db.write() as s:
        device = auth.revoke_device(s, device_id, actor)
    request.app.state.actors.drop_device(device_id)
    return DevicePublic.model_validate(device, from_attributes=True)


@router.post("/devices/pair")
def pair(body: Pair, request: Request, db: DbDep, shop: ShopDep) -> PairResult:
    """A device exchanges a pairing code for its token."""
    with db.write() as s:
        token, device = auth.pair_device(s, body.code, body.name, shop.settings,
                                         _source(request))
    return PairResult(token=token, me=Me(role=device.role, user_id=None, device_id=device.id,
                                         lane_id=device.lane_id, name=device.name))
