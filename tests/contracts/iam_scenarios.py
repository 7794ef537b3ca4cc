"""Representative production work of each Lambda, run in-process against the embedded AWS.

Every AWS call of the handlers happens here through the real handlers (attributed by the
recorder from the handler on the stack); the two places that call the store below a handler —
the booking race and a claim taken over halfway — act explicitly as `chat`, the only function
that books in production. Fixture work (table, seed, the DISABLE_IA switch) acts as SETUP.

moto 5.2.5 does not implement bedrock-runtime Converse (500), so the model's answers come from
botocore's Stubber with real Converse shapes; the recorder still sees the Converse calls (its
hook runs before the Stubber answers).
"""

from __future__ import annotations

import datetime as dt
import os
import threading

import boto3
from botocore.stub import ANY, Stubber

from orchestrator.quality.iam_calls import SETUP, acting_as

LOLA, ACME = "peluqueria-lola", "acme-dental"


def widget_event(tenant_id: str, field: str, arguments: dict, parent: str = "Query") -> dict:
    return {
        "arguments": arguments,
        "identity": {"resolverContext": {"tenantId": tenant_id}},
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {"x-amzn-requestid": "contract"}},
    }


ADMIN_SUB = "admin-1"


def admin_event(tenant_id: str, field: str, arguments: dict, parent: str = "Query", groups=()) -> dict:
    return {
        "arguments": arguments,
        "identity": {
            "sub": ADMIN_SUB,
            "claims": {"sub": ADMIN_SUB, "custom:tenantId": tenant_id, "cognito:groups": list(groups)},
        },
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {}},
    }


def _converse(content, stop="end_turn"):
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15},
        "metrics": {"latencyMs": 1},
    }


def _tool(name: str, arguments: dict) -> list[dict]:
    return [{"toolUse": {"toolUseId": f"t-{name}", "name": name, "input": arguments}}]


_REQUEST = {"modelId": ANY, "system": ANY, "messages": ANY, "toolConfig": ANY, "inferenceConfig": ANY}


def _next_monday(tenant: dict, hour: int) -> dt.datetime:
    from backend import scheduling

    today = scheduling.now_in(tenant).date()
    day = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(hour), scheduling.tz_of(tenant))


def _switch_ia(param: str, disabled: bool) -> None:
    with acting_as(SETUP):
        boto3.client("ssm").put_parameter(
            Name=param, Value=str(disabled).lower(), Type="String", Overwrite=True
        )


def lambda_work(environment: dict[str, str]) -> None:
    """Run the four functions' work; os.environ already holds `environment` (the template's)."""
    from backend import admin, authorizer, bookings, chat, runtime, scheduling, seed, store, table

    assert all(os.environ.get(k) == v for k, v in environment.items())
    runtime.reset()  # clients made from now on carry the recorder's hook
    name = environment["TABLE_NAME"]
    with acting_as(SETUP):
        table.create_table(runtime.dynamodb(), name)
        seed.seed(name, create_table=False)
        for tenant in (ACME, LOLA):  # the panel's admin: an admin record names the signed-in user
            store.put_admin(tenant, ADMIN_SUB, f"admin@{tenant}.test")
    keys = seed.api_keys()

    def say(tenant_id, text, cid=None, locale=None):
        args = {"text": text, "conversationId": cid, "locale": locale}
        return chat.handler(widget_event(tenant_id, "sendMessage", {"input": args}, "Mutation"))

    # authorizer: a good key and a bad one
    assert authorizer.handler({"authorizationToken": keys[LOLA], "requestContext": {}})["isAuthorized"]
    assert not authorizer.handler({"authorizationToken": "bc_nope_x", "requestContext": {}})["isAuthorized"]

    # bookings: what the widget reads
    lola = bookings.handler(widget_event(LOLA, "tenantConfig", {}))
    assert lola
    bookings.handler(widget_event(LOLA, "services", {}))
    with acting_as(SETUP):  # the scenario's own reads are not the functions' work
        tenant, tinte = store.get_tenant(LOLA), store.get_service(LOLA, "tinte")
    monday = _next_monday(tenant, 10)
    bookings.handler(
        widget_event(LOLA, "availability", {"serviceId": "corte", "date": monday.date().isoformat()})
    )
    # bookings: the widget's client-health report (EMF on stdout; no AWS call, so no new permission)
    report = {"input": {"widgetVersion": "1.4.0", "kind": "BOOT", "count": 1}}
    assert bookings.handler(widget_event(LOLA, "reportClientEvent", report, parent="Mutation")) is True

    # chat, guided flow (DISABLE_IA on)
    _switch_ia(environment["DISABLE_IA_PARAM"], True)
    first = say(ACME, "Check-up on monday at 10am", locale="en")
    cid = first["conversationId"]
    say(ACME, "John Smith", cid)
    guided = say(ACME, "yes", cid)["booking"]
    assert guided["status"] == "CONFIRMED"

    # chat, the model books and then cancels in one conversation (DISABLE_IA off)
    _switch_ia(environment["DISABLE_IA_PARAM"], False)
    start = _next_monday(tenant, 11)
    with Stubber(runtime.bedrock()) as model:
        model.add_response(
            "converse",
            _converse(
                _tool("check_availability", {"serviceId": "corte", "date": start.date().isoformat()}),
                "tool_use",
            ),
            _REQUEST,
        )
        model.add_response(
            "converse",
            _converse(
                _tool(
                    "create_booking",
                    {"serviceId": "corte", "start": start.isoformat(), "customerName": "Ana"},
                ),
                "tool_use",
            ),
            _REQUEST,
        )
        model.add_response("converse", _converse([{"text": "Hecho."}]), _REQUEST)
        booked = say(LOLA, "Un corte el lunes a las 11, soy Ana")
        assert booked["mode"] == "AI" and booked["booking"]["status"] == "CONFIRMED"
        model.add_response(
            "converse",
            _converse(_tool("cancel_booking", {"bookingId": booked["booking"]["id"]}), "tool_use"),
            _REQUEST,
        )
        model.add_response("converse", _converse([{"text": "Cancelada."}]), _REQUEST)
        cancelled = say(LOLA, "Mejor cancélala", booked["conversationId"])
        assert cancelled["booking"]["status"] == "CANCELLED"
        model.assert_no_pending_responses()

    # chat, a race of many visitors for one slot: the losers release what they claimed
    at = _next_monday(tenant, 16)
    barrier, outcomes = threading.Barrier(6), []

    def attempt(i):
        barrier.wait()
        with acting_as("chat"):
            try:
                outcomes.append(scheduling.book(tenant, tinte, at, f"Cliente {i}"))
            except Exception as err:  # noqa: BLE001 — SlotTaken/BadInput are the expected losses
                outcomes.append(err)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, dict) for o in outcomes) == 1, [repr(o)[:200] for o in outcomes]

    # chat, deterministically: a request claims its first blocks, finds a later one taken, and
    # releases what it claimed (the path that left slots locked forever without DeleteItem)
    late = _next_monday(tenant, 18)
    blocks = store.slot_blocks(late, late + dt.timedelta(minutes=90))
    with acting_as(SETUP):
        assert store._claim(store.keys.tenant_pk(LOLA), blocks[-1], "someone-else")
    with acting_as("chat"):
        try:
            store.create_booking(LOLA, store.NewBooking(tinte, late, "Eva"))
        except Exception as err:  # noqa: BLE001
            assert type(err).__name__ == "SlotTaken", err
        else:
            raise AssertionError("the half-claimed slot was booked")

    # admin: the panel's operations
    window = {
        "from": (monday - dt.timedelta(days=1)).isoformat(),
        "to": (monday + dt.timedelta(days=2)).isoformat(),
    }
    assert admin.handler(admin_event(ACME, "bookings", window))
    cancelled = admin.handler(admin_event(ACME, "cancelBooking", {"id": guided["id"]}, "Mutation"))
    assert cancelled["status"] == "CANCELLED"
    admin.handler(admin_event(LOLA, "usage", {}))
    plan = {"tenantId": LOLA, "plan": "ENTERPRISE"}
    admin.handler(admin_event(LOLA, "setPlan", plan, "Mutation", ["platform-admin"]))
    rotated = admin.handler(admin_event(LOLA, "rotateApiKey", {}, "Mutation"))
    tenant_input = {
        "name": "Clínica Nueva",
        "locale": "es",
        "timeZone": "Europe/Madrid",
        "services": [{"id": "consulta", "name": "Consulta", "durationMinutes": 30}],
        "openingHours": [{"day": "mon", "ranges": ["09:00-14:00"]}],
    }
    created = admin.handler(
        admin_event(LOLA, "createTenant", {"input": tenant_input}, "Mutation", ["platform-admin"])
    )
    assert created["apiKey"]["apiKey"]

    # authorizer: the rotated key works, the old one no longer does
    assert authorizer.handler({"authorizationToken": rotated["apiKey"], "requestContext": {}})["isAuthorized"]
    assert not authorizer.handler({"authorizationToken": keys[LOLA], "requestContext": {}})["isAuthorized"]

    # bookings, an unexpected error with Sentry on: the Lambda reads the environment's DSN
    # parameter (backend.error_reports) and sends the report (to tests/sentry_receiver.py).
    import sentry_sdk
    from sentry_receiver import SentryReceiver

    from backend import error_reports

    with SentryReceiver() as receiver:
        with acting_as(SETUP):
            boto3.client("ssm").put_parameter(
                Name=environment["SENTRY_DSN_PARAM"],
                Value=receiver.dsn(5),
                Type="SecureString",
                Overwrite=True,
            )
            runtime.dynamodb().delete_table(TableName=name)  # the surprise: the table is gone
        error_reports.reset()
        try:
            bookings.handler(widget_event(LOLA, "services", {}))
        except Exception as err:  # noqa: BLE001
            assert type(err).__name__ == "InternalError", err
        finally:
            sentry_sdk.get_client().close()
            sentry_sdk.get_global_scope().set_client(None)
            error_reports.reset()
        assert len(receiver.events()) == 1, "the error report did not arrive"
