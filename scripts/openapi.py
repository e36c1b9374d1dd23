#!/usr/bin/env python3
"""Writes the OpenAPI 3.1 document of the console's REST API:
    python3 scripts/openapi.py > Sources/TollgateConsole/Resources/static/openapi.json
A test checks that its paths and methods are exactly the API routes the console serves."""
import json
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def listing(item): return {"type":"object","required":["items"],"properties":{"items":{"type":"array","items":ref(item)},"next":{"type":["string","null"]}},"additionalProperties":False}
S = {"type":"string"}
IP = {"type":"string","anyOf":[{"format":"ipv4"},{"format":"ipv6"}],"description":"An IPv4 or IPv6 address.","examples":["198.51.100.66"]}
TIMEQ = {"anyOf":[{"type":"string","pattern":"^[1-9][0-9]{0,3}[smhd]$"},{"type":"string","format":"date-time"},{"type":"string","format":"date"}],
         "description":"A duration back from now (10m, 24h, 7d) or an ISO 8601 time (2026-12-03T01:00:00Z, 2026-12-03)."}
NAME = {"type":"string","pattern":"^[a-z][a-z0-9._-]{0,31}$"}
ACCOUNT = {"type":"string","pattern":"^\\S.{0,63}$"}; I={"type":"integer"}; B={"type":"boolean"}; N={"type":"number"}; T={"type":"string","format":"date-time"}
def obj(req, props): return {"type":"object","required":req,"properties":props}
schemas = {
 "Error": obj(["error"],{"error":obj(["status","message"],{"status":I,"message":S,"field":S})}),
 "RegistrationStatus": obj(["state"],{"state":S,"expires":I,"lastFailure":S}),
 "GatewayStatus": obj(["updated","processID","trunksUp","serverTransactions","clientTransactions","earlyDialogs","confirmedDialogs","remotePhoneBindings"],
   {"updated":T,"processID":I,"trunksUp":{"type":"object","additionalProperties":B},"serverTransactions":I,"clientTransactions":I,"earlyDialogs":I,
    "confirmedDialogs":I,"remotePhoneBindings":I,"mediaPortsInUse":I,"mediaPortCapacity":I,"registrations":{"type":"object","additionalProperties":ref("RegistrationStatus")}}),
 "Acknowledgement": obj(["eventID","time","actor","note"],{"eventID":I,"time":T,"actor":S,"note":S}),
 "Alarm": obj(["event"],{"event":ref("SecurityEvent"),"acknowledgement":ref("Acknowledgement")}),
 "AlarmNote": {"type":"object","properties":{"note":{"type":"string","maxLength":200}}},
 "Divert": obj(["on"],{"on":B,"since":T,"by":S,"reason":S,"destination":S}),
 "DivertChange": {"type":"object","required":["on"],"properties":{"on":B,"reason":{"type":"string","maxLength":200}}},
 "Status": obj(["callsInProgress","activeBans","suspendedAccounts","callsToday","eventsLastHour","openAlarms","divert","nodes","time"],
   {"gateway":ref("GatewayStatus"),"callsInProgress":I,"activeBans":I,"suspendedAccounts":I,"callsToday":I,"eventsLastHour":I,"openAlarms":I,"divert":ref("Divert"),
    "nodes":{"type":"array","items":ref("Node")},"time":T}),
 "Node": obj(["name","live","lastSeen","started","activeCalls","version","listeners"],
   {"name":S,"live":B,"lastSeen":T,"started":T,"activeCalls":I,"version":S,"listeners":{"type":"array","items":S}}),
 "SecurityEvent": obj(["time","kind","source","rule","detail","severity"],{"id":I,"time":T,"kind":S,"source":S,"rule":S,"detail":S,
   "severity":{"type":"string","enum":["info","notice","warning","critical"]}}),
 "Ban": obj(["source","since","until","rule","reason","offences","origin"],{"source":S,"since":T,"until":T,"rule":S,"reason":S,"offences":I,
   "origin":{"type":"string","enum":["automatic","operator"]}}),
 "NewBan": {"type":"object","required":["source"],"properties":{"source":IP,
   "duration":{"type":"string","pattern":"^([1-9][0-9]{0,3}[smhd]|permanent)$","description":"30s, 15m, 2h, 7d or permanent (default 1d).","examples":["1d"]},
   "reason":{"type":"string","maxLength":200}}},
 "Flow": obj(["packets","bytes","lost"],{"packets":I,"bytes":I,"lost":I}),
 "CallMedia": obj(["fromCaller","fromCallee","encrypted","dropped"],{"codec":S,"fromCaller":ref("Flow"),"fromCallee":ref("Flow"),"encrypted":B,"dropped":I}),
 "Call": obj(["callID","direction","from","to","account","source","start","end","disposition"],
   {"id":I,"callID":S,"direction":{"type":"string","enum":["inbound","outbound"]},"from":S,"to":S,"destinationClass":S,"account":S,"source":S,"trunk":S,
    "start":T,"answer":T,"end":T,"cause":I,"disposition":{"type":"string","enum":["answered","no-answer","busy","rejected","failed","interrupted"]},
    "hangup":{"type":"string","enum":["caller","callee","gateway"]},"rule":S,"media":ref("CallMedia"),"identity":S}),
 "Account": obj(["account","concurrentCalls","callsLastMinute","callsToday","internationalLastHour","minutesToday","suspended"],
   {"account":S,"group":S,"classOfService":S,"concurrentCalls":I,"callsLastMinute":I,"callsToday":I,"internationalLastHour":I,"minutesToday":N,
    "countersTime":T,"suspended":B,"suspendedSince":T,"suspensionRule":S,"suspensionReason":S}),
 "AccountReason": {"type":"object","properties":{"reason":{"type":"string","maxLength":200}}},
 "Result": obj(["result"],{"result":S}),
 "Route": obj(["prefix","trunks","stripDigits","prependDigits"],{"name":S,"prefix":S,"trunks":{"type":"array","items":S},"stripDigits":I,"prependDigits":S}),
 "Trunk": obj(["name","endpoint","priority","weight","allowedSources","registers"],{"name":S,"endpoint":S,"priority":I,"weight":I,
   "allowedSources":{"type":"array","items":S},"up":B,"registration":S,"registers":B}),
 "User": obj(["name","role","enrolled","created"],{"name":S,"role":{"type":"string","enum":["viewer","operator","admin"]},"enrolled":B,"enrolmentExpires":T,"created":T}),
 "NewUser": {"type":"object","required":["name","role"],"properties":{"name":NAME,
   "role":{"type":"string","enum":["viewer","operator","admin"]}}},
 "Enrolment": obj(["name","role","enrolmentLink"],{"name":S,"role":S,"enrolmentLink":S}),
 "Session": obj(["reference","stage","created","lastSeen","source","userAgent","current"],{"reference":S,"stage":S,"created":T,"lastSeen":T,"source":S,"userAgent":S,"current":B}),
 "AuditEntry": obj(["id","time","actor","source","action","target","previousHash","hash"],{"id":I,"time":T,"actor":S,"source":S,"action":S,"target":S,
   "before":S,"after":S,"previousHash":S,"hash":S}),
}
for name in ["Alarm","SecurityEvent","Ban","Call","Account","Route","Trunk","User","Session","AuditEntry"]:
    schemas[name+"List"] = listing(name)
err = {"default":{"description":"An error: 400 a bad parameter or body (the field named), 401 no or a wrong credential, 403 a role too low or a cross-site request, 404 nothing there, 409 a conflict, 503 the store unavailable.","content":{"application/json":{"schema":ref("Error")}}}}
def ok(schema, code="200", desc="OK"):
    r={code:{"description":desc,"content":{"application/json":{"schema":ref(schema)}}}}; r.update(err); return r
def nocontent():
    r={"204":{"description":"Done."}}; r.update(err); return r
def q(name, desc, schema=None): return {"name":name,"in":"query","required":False,"description":desc,"schema":schema or S}
def p(name, desc, schema=None): return {"name":name,"in":"path","required":True,"description":desc,"schema":schema or S}
paging=[q("cursor","The `next` of the previous page.",{"type":"string","pattern":"^[0-9]{1,12}\\.[0-9]{6}-[0-9]{1,18}$"}), q("limit","Rows per page (1-500, default 50).",{"type":"integer","minimum":1,"maximum":500})]
since=q("since","Only since then: 24h, 7d, or an ISO 8601 time.",TIMEQ)
def op(summary, role, responses, params=None, body=None, opid=None):
    o={"summary":summary,"operationId":opid,"description":f"Role: {role} or above.","responses":responses}
    if params: o["parameters"]=params
    if body: o["requestBody"]={"required":True,"content":{"application/json":{"schema":ref(body)}}}
    return o
paths = {
 "/status": {"get": op("The gateway's state, bans, suspended accounts, today's calls.","viewer",ok("Status"),opid="getStatus")},
 "/events": {"get": op("Security events, newest first.","viewer",ok("SecurityEventList"),[q("q","Only events whose detail contains this text, or whose source or rule is it.",{"type":"string","maxLength":100}),q("kind","Only this kind."),q("source","Only this source address."),since]+paging,opid="listEvents")},
 "/bans": {"get": op("Bans in force.","viewer",ok("BanList"),opid="listBans"),
           "post": op("Ban an address.","operator",ok("Ban","201","Banned."),body="NewBan",opid="addBan")},
 "/bans/{source}": {"delete": op("Lift the ban on an address.","operator",nocontent(),[p("source","The banned address.",IP)],opid="liftBan")},
 "/accounts": {"get": op("Accounts: counters and suspensions.","viewer",ok("AccountList"),opid="listAccounts")},
 "/calls": {"get": op("Call detail records, newest first.","viewer",ok("CallList"),[q("number","From or to this number."),q("account","Only this account."),since,q("until","Only before then: 24h, 7d, or an ISO 8601 time.",TIMEQ)]+paging,opid="listCalls")},
 "/routes": {"get": op("Routes in force.","viewer",ok("RouteList"),opid="listRoutes")},
 "/trunks": {"get": op("Trunks with their health and registration (never credentials).","viewer",ok("TrunkList"),opid="listTrunks")},
 "/users": {"get": op("Console users (never a secret).","viewer",ok("UserList"),opid="listUsers"),
            "post": op("Add a user; the answer holds their one-time enrolment link.","admin",ok("Enrolment","201","Added."),body="NewUser",opid="addUser")},
 "/users/{name}": {"delete": op("Remove a user with their sessions and tokens.","admin",nocontent(),[p("name","The user (not the caller: 409).",NAME)],opid="removeUser")},
 "/users/{name}/reset": {"post": op("Take a user's password and TOTP away; a new enrolment link.","admin",ok("Enrolment"),[p("name","The user (not the caller: 409).",NAME)],opid="resetUser")},
 "/alarms": {"get": op("Fraud alarms (fraud and account-suspended events) with their acknowledgements, newest first.","viewer",ok("AlarmList"),[since]+paging,opid="listAlarms")},
 "/alarms/{id}/acknowledge": {"post": {**op("Acknowledge a fraud alarm (the first acknowledgement stands).","operator",ok("Result"),[p("id","The alarm's event id.",{"type":"string","pattern":"^[0-9]{1,18}$"})],opid="acknowledgeAlarm"),
    "requestBody":{"required":False,"content":{"application/json":{"schema":ref("AlarmNote")}}}}},
 "/divert": {"post": op("Switch divert now on (inbound calls to the fallback) or off (to the PBX); 409 when no fallback is configured.","operator",ok("Divert"),body="DivertChange",opid="setDivert")},
 "/sessions": {"get": op("The caller's own sessions.","viewer",ok("SessionList"),opid="listSessions")},
 "/audit-log": {"get": op("The audit log, newest first (at most 1000 entries).","viewer",ok("AuditEntryList"),[since],opid="listAuditLog")},
}
for action in ["resume","suspend","reset"]:
    paths["/accounts/{account}/"+action]={"post":{**op(f"{action.capitalize()} an account.","operator",ok("Result"),[p("account","The account.",ACCOUNT)],opid=f"{action}Account"),
        "requestBody":{"required":False,"content":{"application/json":{"schema":ref("AccountReason")}}}}}
doc = {"openapi":"3.1.0","info":{"title":"Tollgate console API","version":"1.0.0",
  "description":"The console's REST API: the same data and actions as its pages. Authenticate with `Authorization: Bearer TOKEN` (`tollgate token create`); browsers use the session cookie plus the `X-CSRF-Token` header on changes. Lists page with `cursor` (the `next` of the previous page) and `limit`."},
  "servers":[{"url":"/api/v1"}],
  "security":[{"bearer":[]}],
  "components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},"schemas":schemas},
  "paths":paths}
print(json.dumps(doc, indent=1, sort_keys=False))
