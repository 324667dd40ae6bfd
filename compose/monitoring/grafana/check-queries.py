#!/usr/bin/env python3
"""Runs every query of a Grafana dashboard against a Prometheus, as Grafana would send it.

  compose/monitoring/grafana/check-queries.py http://127.0.0.1:9090 compose/monitoring/grafana/dashboards/stack.json

Grafana is not part of the stack, so this is how its dashboard is kept honest: each panel's PromQL must parse and run
(Grafana's variables replaced as it replaces them: $__rate_interval by four scrapes, a multi-value variable by its
"All" value), and each metric it names must have a series in that Prometheus now, or for a recording rule's name
(level:metric:operations) a rule of that Prometheus must record it (a 5xx ratio has no series while nothing failed),
so a renamed metric fails here rather than as an empty panel. Exit 0 when every query passes; 1 with one line per failure.
"""
import json
import re
import sys
import urllib.parse
import urllib.request

# Series that exist only while something happens: ALERTS while an alert is pending or firing.
MAY_BE_ABSENT = {"ALERTS"}


def query(prometheus, promql):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as e:  # a query that does not parse is a 400 with Prometheus' reason
        return json.load(e)


def grafana_expr(expr, variables):
    expr = expr.replace("$__rate_interval", "20s").replace("$__interval", "5s").replace("$__range", "1h")
    for name, value in variables.items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def metric_names(expr):
    # a name before its label matchers, or a recording rule's (it has a colon) on its own
    names = set(re.findall(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*\{", expr))
    names |= set(re.findall(r"(?<![\w\"])([a-z_]+:[a-z0-9_:]+)(?![\w\"])", expr))
    return names


def recorded(prometheus):
    with urllib.request.urlopen(prometheus + "/api/v1/rules?type=record", timeout=10) as answer:
        groups = json.load(answer)["data"]["groups"]
    return {rule["name"] for group in groups for rule in group["rules"]}


def main(prometheus, dashboard_file):
    dashboard = json.load(open(dashboard_file))
    rules = recorded(prometheus)
    variables = {v["name"]: v.get("allValue", ".*") for v in dashboard["templating"]["list"] if v["type"] == "query"}
    failures, checked = [], 0
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = grafana_expr(target["expr"], variables)
            answer = query(prometheus, expr)
            checked += 1
            if answer.get("status") != "success":
                failures.append(f'"{panel["title"]}" {target["refId"]}: {answer.get("error", answer)}')
                continue
            for name in sorted(metric_names(expr) - MAY_BE_ABSENT - rules):
                if not query(prometheus, "count(" + name + ")").get("data", {}).get("result"):
                    failures.append(f'"{panel["title"]}" {target["refId"]}: no series named {name} in {prometheus}')
    for failure in failures:
        print("FAILED " + failure)
    print(f"{checked} queries of {len(dashboard['panels'])} panels, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
