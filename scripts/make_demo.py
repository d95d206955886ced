#!/usr/bin/env python3
"""Writes the demo traces in public/demo/ (deterministic: same bytes every run).

checkout-jaeger.json  Jaeger UI export: a checkout request across 17 services, ~290 spans,
                      a payment gateway that times out twice before the retry succeeds,
                      an N+1 fan-out of product queries, a Kafka producer/consumer pair
                      (FOLLOWS_FROM), logs.
search-otlp.json      OTLP JSON: a search request fanned out to 12 index shards in parallel,
                      one shard timing out, ranking and ads, ~120 spans.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "public", "demo")
BASE_US = 1_763_812_800_000_000  # 2025-11-22 12:00:00 UTC, in µs


class Span:
    def __init__(self, service, op, kind, start, dur, tags=None, logs=None, error=False, follows=False):
        self.service, self.op, self.kind = service, op, kind
        self.start, self.dur = start, dur
        self.tags = dict(tags or {})
        self.logs = logs or []
        self.error = error
        self.follows = follows
        self.children = []
        self.id = None

    def child(self, *a, **kw):
        s = Span(*a, **kw)
        self.children.append(s)
        return s


def build_checkout(rnd):
    t = 0
    root = Span("frontend", "HTTP POST /checkout", "server", t, 0,
                {"http.method": "POST", "http.route": "/checkout", "http.status_code": 200,
                 "http.user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "user.tier": "gold"})
    gw = root.child("api-gateway", "POST /api/v2/checkout", "server", t + 400, 0,
                    {"http.method": "POST", "http.status_code": 200, "net.peer.name": "frontend"})
    cur = gw.start + 300
    auth = gw.child("auth-service", "ValidateToken", "server", cur, 2100, {"rpc.system": "grpc", "auth.method": "jwt"})
    auth.child("redis", "GET session:*", "client", cur + 200, 900,
               {"db.system": "redis", "db.statement": "GET session:7f3a…", "peer.service": "redis"})
    auth.child("auth-service", "verify signature", "internal", cur + 1200, 700)
    cur += 2300
    # Cart with an N+1 query pattern: one SELECT per line item.
    cart = gw.child("cart-service", "GetCart", "server", cur, 0, {"rpc.system": "grpc", "cart.items": 36})
    c = cur + 150
    cart.child("postgres", "SELECT cart_items", "client", c, 1800,
               {"db.system": "postgresql", "db.statement": "SELECT * FROM cart_items WHERE cart_id = $1", "db.rows": 36})
    c += 1900
    for i in range(36):
        d = rnd.randint(600, 1400)
        cart.child("product-catalog", "SELECT product", "client", c, d,
                   {"db.system": "mysql", "db.statement": "SELECT * FROM products WHERE sku = ?", "product.sku": f"SKU-{1000 + i}"})
        c += d + rnd.randint(40, 120)
        d = rnd.randint(200, 500)
        cart.child("redis", "GET price", "client", c, d, {"db.system": "redis", "peer.service": "redis", "product.sku": f"SKU-{1000 + i}"})
        c += d + rnd.randint(20, 60)
    cart.dur = c - cart.start + 200
    cur = cart.start + cart.dur + 200
    # Pricing with parallel currency conversions.
    pricing = gw.child("pricing-service", "Quote", "server", cur, 0, {"rpc.system": "grpc", "currency": "EUR"})
    p = cur + 100
    ends = []
    for cc in ["EUR", "GBP", "JPY"]:
        d = rnd.randint(1500, 4000)
        conv = pricing.child("currency-service", f"Convert USD→{cc}", "server", p, d, {"currency.to": cc})
        conv.child("redis", "GET fx:rate", "client", p + 100, 400, {"db.system": "redis", "peer.service": "redis"})
        ends.append(p + d)
        p += 80
    pricing.dur = max(ends) - pricing.start + 300
    cur = pricing.start + pricing.dur + 200
    # Inventory reservation: one row lock per item (a database fan-out in parallel batches).
    inv = gw.child("inventory-service", "ReserveItems", "server", cur, 0, {"rpc.system": "grpc"})
    q = cur + 200
    end = q
    for batch in range(5):
        b0 = q
        for i in range(8):
            d = rnd.randint(500, 2500)
            inv.child("postgres", "UPDATE stock", "client", b0 + i * 30, d,
                      {"db.system": "postgresql", "db.statement": "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2"})
            end = max(end, b0 + i * 30 + d)
        q = end + 100
    inv.dur = q - inv.start + 100
    cur = inv.start + inv.dur + 200
    # Payment: the gateway times out twice; the third attempt succeeds.
    pay = gw.child("payment-service", "Charge", "server", cur, 0, {"rpc.system": "grpc", "payment.method": "card"})
    f = cur + 200
    pay.child("fraud-service", "Score", "server", f, 6200, {"fraud.score": 0.07})
    f += 6400
    for attempt in range(1, 4):
        fail = attempt < 3
        d = 30000 if fail else 8200
        g = pay.child("payment-service", "POST https://api.payments.example/v1/charges", "client", f, d,
                      {"http.method": "POST", "http.status_code": 504 if fail else 201, "retry.attempt": attempt,
                       "peer.service": "payment-gateway"},
                      logs=([(f + d, {"event": "error", "message": "upstream timeout after 30s", "error.kind": "TimeoutError"})]
                            if fail else [(f + 100, {"event": "charge.created", "charge.id": "ch_3PqX9"})]),
                      error=fail)
        g.child("payment-gateway", "charges.create", "server", f + 400, d - 800,
                {"http.status_code": 504 if fail else 201}, error=fail)
        f += d + (500 * attempt if fail else 0)
    pay.logs = [(cur + 36700, {"event": "retry", "message": "payment gateway timed out, retrying (1/2)"}),
                (cur + 67300, {"event": "retry", "message": "payment gateway timed out, retrying (2/2)"})]
    pay.dur = f - pay.start + 300
    cur = pay.start + pay.dur + 200
    # Shipping quote and the order event.
    ship = gw.child("shipping-service", "QuoteShipping", "server", cur, 5200, {"rpc.system": "grpc", "ship.country": "DE"})
    ship.child("shipping-service", "carrier rates", "internal", cur + 300, 4100)
    cur += 5400
    orders = gw.child("order-service", "CreateOrder", "server", cur, 0, {"rpc.system": "grpc"})
    orders.child("postgres", "INSERT orders", "client", cur + 200, 2400,
                 {"db.system": "postgresql", "db.statement": "INSERT INTO orders (...) VALUES (...)"})
    prod = orders.child("order-service", "orders publish", "producer", cur + 2800, 900,
                        {"messaging.system": "kafka", "messaging.destination.name": "orders"})
    orders.dur = 4000
    cur += 4200
    gw.dur = cur - gw.start + 300
    # Recommendations rendered on the confirmation page (cache lookups in parallel).
    rec = root.child("recommendation-service", "ListRecommendations", "server", gw.start + gw.dur + 300, 0, {"rpc.system": "grpc"})
    r = rec.start + 200
    end = r
    for i in range(60):
        d = rnd.randint(300, 1800)
        gp = rec.child("product-catalog", "GetProduct", "server", r + i * 60, d, {"product.id": f"P-{2000 + i}"})
        gp.child("redis", "GET product", "client", r + i * 60 + 80, max(d // 3, 60), {"db.system": "redis", "peer.service": "redis"})
        end = max(end, r + i * 60 + d)
    rec.dur = end - rec.start + 200
    root.dur = rec.start + rec.dur - root.start + 500
    gw.dur = gw.dur
    # Consumer of the order event, after the request ended (FOLLOWS_FROM).
    em = prod.child("email-service", "orders process", "consumer", root.dur + 12000, 15000,
                    {"messaging.system": "kafka", "messaging.operation": "process"}, follows=True)
    em.child("email-service", "render template", "internal", root.dur + 12400, 3300)
    em.child("email-service", "POST https://smtp.example/send", "client", root.dur + 16000, 10200,
             {"http.method": "POST", "http.status_code": 202, "peer.service": "smtp-relay"})
    return root


def walk(root):
    stack = [(root, None)]
    while stack:
        s, parent = stack.pop()
        yield s, parent
        for c in reversed(s.children):
            stack.append((c, s))


def assign_ids(root, rnd):
    for s, _ in walk(root):
        s.id = f"{rnd.getrandbits(64):016x}"


def jaeger_tag(k, v):
    if isinstance(v, bool):
        return {"key": k, "type": "bool", "value": v}
    if isinstance(v, int):
        return {"key": k, "type": "int64", "value": v}
    if isinstance(v, float):
        return {"key": k, "type": "float64", "value": v}
    return {"key": k, "type": "string", "value": str(v)}


def write_jaeger(root, trace_id, path):
    services = sorted({s.service for s, _ in walk(root)})
    pids = {svc: f"p{i + 1}" for i, svc in enumerate(services)}
    spans = []
    for s, parent in walk(root):
        tags = [jaeger_tag("span.kind", s.kind)] + [jaeger_tag(k, v) for k, v in s.tags.items()]
        if s.error:
            tags.append(jaeger_tag("error", True))
        refs = []
        if parent is not None:
            refs.append({"refType": "FOLLOWS_FROM" if s.follows else "CHILD_OF", "traceID": trace_id, "spanID": parent.id})
        spans.append({
            "traceID": trace_id, "spanID": s.id, "operationName": s.op, "references": refs,
            "startTime": BASE_US + s.start, "duration": s.dur, "tags": tags,
            "logs": [{"timestamp": BASE_US + ts, "fields": [jaeger_tag(k, v) for k, v in f.items()]} for ts, f in s.logs],
            "processID": pids[s.service], "warnings": None,
        })
    processes = {pids[svc]: {"serviceName": svc, "tags": [jaeger_tag("hostname", f"{svc}-7d9f{i:02d}"),
                                                          jaeger_tag("k8s.namespace.name", "shop")]}
                 for i, svc in enumerate(services)}
    doc = {"data": [{"traceID": trace_id, "spans": spans, "processes": processes, "warnings": None}],
           "total": 0, "limit": 0, "offset": 0, "errors": None}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return len(spans), len(services)


def build_search(rnd):
    root = Span("web", "GET /search", "server", 0, 0, {"http.method": "GET", "http.route": "/search", "http.status_code": 200})
    api = root.child("search-api", "Search", "server", 300, 0, {"search.query": "wireless headphones"})
    api.child("query-parser", "Parse", "server", 500, 1800, {"query.terms": 2})
    cur = 2500
    ends = []
    for shard in range(12):
        slow = shard == 7
        d = 250000 if slow else rnd.randint(9000, 42000)
        sh = api.child("index-shard", f"shard-{shard:02d} query", "client", cur + shard * 120, d,
                       {"shard.id": shard, "db.system": "elasticsearch", "peer.service": f"es-node-{shard % 4}"}, error=slow)
        es = sh.child(f"es-node-{shard % 4}", "indices:data/read/search", "server", cur + shard * 120 + 300, d - 600, {"shard.id": shard})
        for k in range(4):
            es.child(f"es-node-{shard % 4}", ["rewrite", "query", "collect", "fetch"][k], "internal",
                     cur + shard * 120 + 400 + k * (d // 5), max(d // 6, 100))
        if slow:
            sh.logs = [(cur + shard * 120 + d, {"event": "exception", "exception.type": "TimeoutException",
                                                  "exception.message": "shard 7 did not answer within 250ms"})]
        ends.append(cur + shard * 120 + d)
    cur = max(ends) + 300
    rank = api.child("ranking-service", "Rank", "server", cur, 0, {"rank.model": "ltr-v12"})
    r = cur + 100
    for k in range(6):
        d = rnd.randint(2000, 6000)
        rank.child("ml-inference", "predict", "client", r, d, {"model.batch": 64})
        r += d + 80
    rank.dur = r - cur + 100
    cur = r + 200
    ads = api.child("ads-service", "SelectAds", "server", cur, 7000, {"ads.slots": 3})
    ads.child("ads-service", "auction", "internal", cur + 400, 5200)
    api.dur = cur + 7400 - api.start
    root.dur = api.start + api.dur + 600
    return root


def write_otlp(root, trace_id, path):
    kinds = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
    by_service = {}
    for s, parent in walk(root):
        attrs = [{"key": k, "value": ({"intValue": str(v)} if isinstance(v, int) else {"stringValue": str(v)})}
                 for k, v in s.tags.items()]
        span = {"traceId": trace_id, "spanId": s.id, "name": s.op, "kind": kinds[s.kind],
                "startTimeUnixNano": str((BASE_US + 3_600_000_000 + s.start) * 1000),
                "endTimeUnixNano": str((BASE_US + 3_600_000_000 + s.start + s.dur) * 1000),
                "attributes": attrs,
                "events": [{"timeUnixNano": str((BASE_US + 3_600_000_000 + ts) * 1000), "name": f.get("event", "event"),
                            "attributes": [{"key": k, "value": {"stringValue": str(v)}} for k, v in f.items() if k != "event"]}
                           for ts, f in s.logs],
                "status": {"code": 2, "message": "deadline exceeded"} if s.error else {"code": 0}}
        if parent is not None:
            span["parentSpanId"] = parent.id
        by_service.setdefault(s.service, []).append(span)
    doc = {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}},
                                     {"key": "deployment.environment", "value": {"stringValue": "production"}}]},
         "scopeSpans": [{"scope": {"name": "io.opentelemetry.demo", "version": "1.4.0"}, "spans": spans}]}
        for svc, spans in sorted(by_service.items())]}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return sum(len(v) for v in by_service.values()), len(by_service)


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(20261122)
    checkout = build_checkout(rnd)
    assign_ids(checkout, rnd)
    n, s = write_jaeger(checkout, "4bf92f3577b34da6a3ce929d0e0e4736", os.path.join(OUT, "checkout-jaeger.json"))
    print(f"checkout-jaeger.json: {n} spans, {s} services")
    search = build_search(rnd)
    assign_ids(search, rnd)
    n, s = write_otlp(search, "0af7651916cd43dd8448eb211c80319c", os.path.join(OUT, "search-otlp.json"))
    print(f"search-otlp.json: {n} spans, {s} services")


if __name__ == "__main__":
    main()
