"""Business Metrics: rides, payments, WhatsApp and sign-ups, against the plan's alert limits."""
from __future__ import annotations

import alerts as a
import easymo as e

from dashkit import Row, Target, below, panels, promql, variables

REQUESTED = {"status": e.RIDE_REQUESTED}
TYPE = {"service_type": promql.var("service_type")}

ride_rate = panels.timeseries(
    "Ride requests by type",
    promql.rate_sum("ride_requests_total", ["service_type"], where={**REQUESTED, **TYPE}),
    unit="reqps", legend="{{service_type}}", w=12)

rides_last_hour = panels.stat(
    "Ride requests (last hour)",
    promql.increase_sum("ride_requests_total", window="1h", where={**REQUESTED, **TYPE}),
    decimals=0, no_value="0", instant=True, w=6)

# Each request is counted once as `pending` (and again as `failed` if it fails), so the
# denominator is the pending count, not every status as in the plan.
acceptance = promql.ratio(
    promql.rate_sum("ride_requests_accepted_total", window="10m", where=TYPE),
    promql.rate_sum("ride_requests_total", window="10m", where={**REQUESTED, **TYPE}))
acceptance_gauge = panels.gauge(
    "Ride acceptance rate (10m)", acceptance, alert=a.LOW_RIDE_ACCEPTANCE,
    description="Accepted / requested rides; LowRideAcceptanceRate fires below the limit.", w=6)

ride_duration = panels.timeseries(
    "Ride duration percentiles",
    *[Target(promql.quantile(q, "ride_duration_seconds", where=TYPE), f"p{round(q * 100)}")
      for q in (0.5, 0.9, 0.99)],
    unit="s", min=0, w=12)

acceptance_trend = panels.timeseries(
    "Ride acceptance rate", acceptance, unit="percentunit", min=0, max=1,
    alert=a.LOW_RIDE_ACCEPTANCE, legend="acceptance", w=12)

payments = panels.timeseries(
    "Payments by status and method",
    promql.rate_sum("payment_transactions_total", ["status", "payment_method"]),
    unit="ops", legend="{{status}} {{payment_method}}", stack=True, w=12)

OUTCOMES = promql.re(f"{e.PAYMENT_SUCCEEDED}|{e.PAYMENT_FAILED}")
payment_success = panels.stat(
    "Payment success rate",
    promql.ratio(promql.rate_sum("payment_transactions_total", where={"status": e.PAYMENT_SUCCEEDED}),
                 promql.rate_sum("payment_transactions_total", where={"status": OUTCOMES})),
    unit="percentunit", decimals=1, thresholds=below(0.95, warn=0.99), graph=True,
    description="Successful / (successful + failed) payments.", w=6)

payment_failures = panels.stat(
    "Failed payments /s", promql.rate_sum("payment_transactions_total", where={"status": e.PAYMENT_FAILED}),
    unit="ops", decimals=2, alert=a.HIGH_PAYMENT_FAILURES, graph=True, w=6)

revenue = panels.timeseries(
    "Revenue by method (USD/h)",
    promql.rate_sum("payment_revenue_usd_total", ["payment_method"]) * 3600,
    unit="currencyUSD", legend="{{payment_method}}", stack=True, w=12,
    description="From payment_revenue_usd_total (an addition to the contract: "
                "payment_amount_usd cannot tell successful payments from failed ones).")

revenue_range = panels.stat(
    "Revenue in range", promql.increase_sum("payment_revenue_usd_total"), unit="currencyUSD",
    decimals=0, instant=True, no_value="0", w=6)

signups = panels.stat(
    "Sign-ups in range", promql.increase_sum("user_signups_total"), decimals=0, instant=True,
    no_value="0", w=6, description="user_signups_total is an addition to the contract.")

messages = panels.timeseries(
    "WhatsApp messages by status",
    promql.rate_sum("whatsapp_messages_total", ["status", "message_type"]),
    unit="ops", legend="{{status}} {{message_type}}", w=12)

DELIVERY_OUTCOMES = promql.re(f"{e.MESSAGE_DELIVERED}|{e.MESSAGE_FAILED}")
delivery_rate = panels.gauge(
    "WhatsApp delivery rate",
    promql.ratio(promql.rate_sum("whatsapp_messages_total", where={"status": e.MESSAGE_DELIVERED}),
                 promql.rate_sum("whatsapp_messages_total", where={"status": DELIVERY_OUTCOMES})),
    thresholds=below(0.9, warn=0.98), description="Delivered / (delivered + failed).", w=6)

whatsapp_failures = panels.stat(
    "Failed WhatsApp messages /s",
    promql.rate_sum("whatsapp_messages_total", where={"status": e.MESSAGE_FAILED}), unit="ops", decimals=2,
    alert=a.WHATSAPP_FAILURES, graph=True, w=6)

dashboard = e.make_dashboard(
    "business-metrics", "Business Metrics",
    description="Rides, payments, messaging and sign-ups.",
    tags=["business"],
    variables=[variables.multi("service_type", variables.label_values(
        "service_type", "ride_requests_total"), e.PROM, label="Ride type")],
    time=("now-24h", "now"),
    refresh="5m",
    panels=[
        Row("Rides", [ride_rate, rides_last_hour, acceptance_gauge, ride_duration, acceptance_trend]),
        Row("Payments and sign-ups", [payments, payment_success, payment_failures, revenue,
                                      revenue_range, signups]),
        Row("WhatsApp", [messages, delivery_rate, whatsapp_failures]),
    ],
)
