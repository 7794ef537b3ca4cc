"""The bookings function: the widget's read side — tenant config, services, availability — and its
client-health reports (`reportClientEvent`, backend.client_events).

AppSync direct Lambda resolver; the tenant comes from the Lambda authorizer's resolverContext.
"""

from __future__ import annotations

from backend import appsync


def tenant_config(event: dict) -> dict:
    from backend import scheduling, store

    return scheduling.tenant_view(store.get_tenant(appsync.widget_tenant(event)))


def services(event: dict) -> list[dict]:
    from backend import scheduling, store

    return [scheduling.service_view(s) for s in store.list_services(appsync.widget_tenant(event))]


def availability(event: dict) -> dict:
    from backend import scheduling, store

    tenant_id = appsync.widget_tenant(event)
    args = event.get("arguments") or {}
    tenant = store.get_tenant(tenant_id)
    service = store.get_service(tenant_id, args.get("serviceId", ""))
    day = scheduling.parse_date(args.get("date", ""))
    slots = scheduling.available_slots(tenant, service, day)
    return {
        "serviceId": service["id"],
        "date": day.isoformat(),
        "slots": [scheduling.slot_view(s) for s in slots],
    }


def report_client_event(event: dict) -> bool:
    from backend import client_events

    return client_events.report_client_event(event)


RESOLVERS = {
    "tenantConfig": tenant_config,
    "services": services,
    "availability": availability,
    "reportClientEvent": report_client_event,
}


def handler(event, context=None):
    return appsync.dispatch(event, context, RESOLVERS)
