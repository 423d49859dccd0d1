"""EasyMO's Alertmanager routing: the plan's Task 3.2 (alertmanager.yml), its defects fixed.
``dashkit build`` writes it to build/alertmanager/alertmanager.yml; every alert of alerts.py is
checked to reach a receiver of its own and the inhibit rule to be able to fire.

The plan's defects, and what this module does instead:
- ``smtp_auth_password: '${SENDGRID_API_KEY}'`` and ``api_url: '${SLACK_WEBHOOK_URL}'``:
  Alertmanager expands no environment variables, so those literal strings were the password and
  the URL. The secrets are files Alertmanager reads (``*_file``), mounted from the secret store.
- ``group_by: [alertname, cluster, service]``: no alert carries ``cluster``; dropped.
- ``group_interval: 10s``: every change to a firing group re-notified within 10 s (an incident
  spreading over services paged on-call every 10 s); Alertmanager's default, 5m.
- ``match``/``source_match``/``target_match``, deprecated since Alertmanager 0.22: matchers.
- The inhibit rule's ``equal: [alertname, service]`` could never fire: no alert name has both
  severities, and no critical alert carried ``service``. Critical now silences the warnings of
  the same ``service`` (ServiceDown carries it, from its job).
Kept as the plan wrote it: the receivers and addresses, ``group_wait``, ``repeat_interval``, and
``continue`` on the critical route (no later route matches a critical alert, so it changes
nothing today; it lets a route added after it see critical alerts too)."""
from __future__ import annotations

from dashkit import Alertmanager, Email, Inhibit, Receiver, Route, Slack, Smtp

#: Where the deployment mounts the secrets (docker secrets or a volume), read by Alertmanager.
SECRETS = "/etc/alertmanager/secrets"

DEFAULT = Receiver(name="default", emails=[Email(to="devops@easymo.dev")])
CRITICAL = Receiver(
    name="critical-alerts",
    emails=[Email(to="oncall@easymo.dev", subject="[CRITICAL] {{ .GroupLabels.alertname }}")],
    slack=[Slack(channel="#alerts-critical", api_url_file=f"{SECRETS}/slack-webhook-url",
                 title="🚨 Critical Alert",
                 text="{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}")])
WARNING = Receiver(
    name="warning-alerts",
    emails=[Email(to="devops@easymo.dev", subject="[WARNING] {{ .GroupLabels.alertname }}")])

alertmanager = Alertmanager(
    smtp=Smtp(smarthost="smtp.sendgrid.net:587", sender="alerts@easymo.dev",
              auth_username="apikey", auth_password_file=f"{SECRETS}/sendgrid-api-key"),
    route=Route(
        receiver=DEFAULT, group_by=["alertname", "service"], group_wait="10s",
        group_interval="5m", repeat_interval="12h",
        routes=[Route(receiver=CRITICAL, match={"severity": "critical"}, continue_=True),
                Route(receiver=WARNING, match={"severity": "warning"})]),
    inhibits=[Inhibit(source={"severity": "critical"}, target={"severity": "warning"},
                      equal=["service"])])
