#!/usr/bin/env python3
"""Writes the Grafana dashboard for the console's /metrics:
    python3 scripts/grafana.py > deploy/grafana/tollgate.json
The console's integration test checks that every metric it charts is exported."""
import json
panels = []
def panel(title, exprs, kind="timeseries", unit="short", x=0, y=0, w=12, h=8):
    panels.append({
        "id": len(panels) + 1, "type": kind, "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l, "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                    for i, (e, l) in enumerate(exprs)],
    })
panel("Active bans", [("tollgate_shield_active_bans", "bans")], "stat", x=0, y=0, w=6, h=4)
panel("Calls in progress", [("tollgate_dialogs{state=\"confirmed\"}", "confirmed")], "stat", x=6, y=0, w=6, h=4)
panel("Trunks up", [("sum(tollgate_trunk_up)", "up"), ("count(tollgate_trunk_up)", "configured")], "stat", x=12, y=0, w=6, h=4)
panel("Console connections refused", [("increase(tollgate_console_refused_connections_total[1h])", "last hour")], "stat", x=18, y=0, w=6, h=4)
panel("SIP messages in, by zone and type", [("sum by (zone, type) (rate(tollgate_sip_messages_in_total[5m]))", "{{zone}} {{type}}")], unit="reqps", x=0, y=4)
panel("SIP messages out, by zone and type", [("sum by (zone, type) (rate(tollgate_sip_messages_out_total[5m]))", "{{zone}} {{type}}")], unit="reqps", x=12, y=4)
panel("Bans and refused packets", [("rate(tollgate_shield_bans_total[5m]) * 60", "bans a minute"),
                                   ("rate(tollgate_shield_refused_packets_total[5m])", "refused packets a second")], x=0, y=12)
panel("Events by kind", [("sum by (kind) (rate(tollgate_gateway_events_total[5m]) * 60)", "{{kind}}")], unit="short", x=12, y=12)
panel("Calls by disposition", [("sum by (disposition) (rate(tollgate_calls_total[5m]) * 60)", "{{disposition}}")], x=0, y=20)
panel("Transactions and dialogs", [("tollgate_sip_server_transactions", "server transactions"), ("tollgate_sip_client_transactions", "client transactions"),
                                   ("tollgate_dialogs", "{{state}} dialogs")], x=12, y=20)
panel("Store: CDRs and events stored, dropped", [("rate(tollgate_cdrs_stored_total[5m])", "CDRs stored/s"), ("rate(tollgate_events_stored_total[5m])", "events stored/s"),
                                               ("increase(tollgate_stream_dropped_total[5m])", "{{subscriber}} dropped")], x=0, y=28)
panel("Malformed SIP by zone", [("sum by (zone) (rate(tollgate_sip_malformed_total[5m]))", "{{zone}}")], unit="reqps", x=12, y=28)
panel("Drops and bans by rule", [("sum by (kind, rule) (rate(tollgate_gateway_events_total{kind=~\"ban|scanner|rate-limit|malformed|unknown-source|auth-failure\"}[5m]) * 60)", "{{kind}} {{rule}}")], x=0, y=36)
panel("Queues: stream subscribers and the CDR writer", [("tollgate_stream_buffered", "{{subscriber}} buffered"), ("tollgate_cdr_writer_backlog", "CDRs waiting")], x=12, y=36)
panel("Media ports held by anchored calls", [("tollgate_media_ports_in_use", "in use"), ("tollgate_media_port_capacity", "capacity")], x=0, y=44)
dashboard = {
    "title": "Tollgate", "uid": "tollgate", "schemaVersion": 39, "version": 1, "editable": True, "tags": ["sip", "voip", "tollgate"],
    "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
    "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]},
    "panels": panels,
}
print(json.dumps(dashboard, indent=1))
