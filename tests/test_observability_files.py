"""The Grafana dashboard, the Prometheus alerts and config, and docs/operations.md agree with
the metrics the service exports (corebank.core.metrics); no server is started.

With `promtool` on PATH (Debian package `prometheus`) the rules and config are also checked by
Prometheus itself, every dashboard query is parsed as PromQL, and each alert is unit-tested to
fire on series that should trip it and to stay quiet on healthy ones.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Counter, Gauge, Histogram

from corebank.core import metrics

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy" / "grafana" / "corebank.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
OPERATIONS = ROOT / "docs" / "operations.md"

METRIC_NAME = re.compile(r"\bcorebank_[a-zA-Z0-9_]+")
SELECTOR = re.compile(r"\b(corebank_[a-zA-Z0-9_]+)\s*\{([^}]*)\}")
MATCHER_LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
#: Labels Prometheus attaches to every scraped series.
TARGET_LABELS = {"job", "instance"}
SEVERITIES = {"critical", "warning", "info"}
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not on PATH (Debian's `prometheus` package provides /usr/bin/promtool)",
)


# --- what the service exports -----------------------------------------------------------------


def exported_families() -> dict[str, Any]:
    """Every corebank metric family the service defines, by family name."""
    families = {}
    for value in vars(metrics).values():
        if isinstance(value, Counter | Gauge | Histogram):
            (described,) = value.describe()
            if described.name.startswith("corebank_"):
                families[described.name] = value
    return families


def sample_names(family: str, metric: Any) -> set[str]:
    """The series names a family exposes in the text format."""
    if isinstance(metric, Counter):
        return {f"{family}_total", f"{family}_created"}
    if isinstance(metric, Histogram):
        return {f"{family}_{suffix}" for suffix in ("bucket", "sum", "count", "created")}
    return {family}


def series_index() -> dict[str, tuple[str, set[str]]]:
    """Each exposed series name -> (its family, the labels a selector on it may use)."""
    index = {}
    for family, metric in exported_families().items():
        labels = set(metric._labelnames) | TARGET_LABELS
        for name in sample_names(family, metric):
            index[name] = (family, labels | ({"le"} if name.endswith("_bucket") else set()))
    return index


def family_of(name: str) -> str | None:
    """The family a series name used in a query belongs to, or None if it is not exported."""
    found = series_index().get(name)
    return found[0] if found else None


# --- the files ----------------------------------------------------------------------------------


def load_dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def load_alerts() -> dict[str, Any]:
    return yaml.safe_load(ALERTS.read_text())


def all_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # panels inside collapsed rows
    return panels


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression in the panels and the query variables."""
    queries = [
        target["expr"]
        for panel in all_panels(dashboard)
        for target in panel.get("targets", [])
        if target.get("expr")
    ]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            queries.append(query["query"] if isinstance(query, dict) else query)
    return queries


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_alerts()["groups"] for rule in group["rules"]]


def alert_queries() -> list[str]:
    return [rule["expr"] for rule in alert_rules()]


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown document."""
    anchors = set()
    for line in markdown.splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def grafana_to_promql(expr: str) -> str:
    """A dashboard query with Grafana's variables replaced by something PromQL accepts."""
    durations = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}

    def replace(match: re.Match[str]) -> str:
        return durations.get(match.group(1), ".*")

    return re.sub(r"\$\{?(\w+)(?::\w+)?\}?", replace, expr)


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_is_a_self_contained_prometheus_dashboard() -> None:
    dashboard = load_dashboard()
    assert "__inputs" not in dashboard and "__requires" not in dashboard
    assert 36 <= dashboard["schemaVersion"] <= 41
    assert dashboard["uid"] and dashboard["title"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = all_panels(dashboard)
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
            assert METRIC_NAME.search(target["expr"]), panel["title"]


def test_dashboard_covers_every_area() -> None:
    used = {family_of(name) for q in dashboard_queries(load_dashboard()) for name in names(q)}
    missing = set(exported_families()) - used
    assert not missing, f"families without a dashboard panel: {sorted(missing)}"


# --- alerts and Prometheus config ---------------------------------------------------------------


def test_alert_rules_are_complete() -> None:
    rules = alert_rules()
    assert rules
    anchors = heading_anchors(OPERATIONS.read_text())
    names_seen = set()
    for rule in rules:
        name = rule["alert"]
        assert name not in names_seen, f"duplicate alert {name}"
        names_seen.add(name)
        assert rule["expr"].strip() and "for" in rule, name
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"].strip() and annotations["description"].strip(), name
        runbook, _, anchor = annotations["runbook_url"].partition("#")
        assert runbook.endswith("docs/operations.md"), name
        assert anchor in anchors, f"{name}: docs/operations.md has no section #{anchor}"


def test_prometheus_config_scrapes_corebank_and_loads_the_alerts() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "corebank"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    targets = [t for config in job["static_configs"] for t in config["targets"]]
    assert targets and all(t.endswith(":8000") for t in targets), targets
    assert any('up{job="corebank"}' in expr for expr in alert_queries())


# --- every metric named is exported ---------------------------------------------------------------


def names(query: str) -> set[str]:
    return set(METRIC_NAME.findall(query))


@pytest.mark.parametrize("source", ["dashboard", "alerts"])
def test_every_metric_named_is_exported(source: str) -> None:
    queries = dashboard_queries(load_dashboard()) if source == "dashboard" else alert_queries()
    used = set().union(*(names(query) for query in queries))
    assert used
    unknown = sorted(name for name in used if family_of(name) is None)
    assert not unknown, (
        f"{source} names series the service does not export: {unknown} "
        "(counters are exposed as <name>_total, histograms as <name>_bucket/_sum/_count)"
    )


@pytest.mark.parametrize("source", ["dashboard", "alerts"])
def test_labels_used_exist_on_the_metrics(source: str) -> None:
    queries = dashboard_queries(load_dashboard()) if source == "dashboard" else alert_queries()
    index = series_index()
    problems = []
    for query in queries:
        unquoted = QUOTED.sub('""', query)
        for name, body in SELECTOR.findall(unquoted):
            allowed = index.get(name, ("", set()))[1]
            problems += [
                f"{name}: {label}" for label in MATCHER_LABEL.findall(body) if label not in allowed
            ]
        in_query = set().union(*(index.get(n, ("", set()))[1] for n in names(query)))
        for grouping in GROUPING.findall(unquoted):
            labels = {label.strip() for label in grouping.split(",") if label.strip()}
            problems += [f"by ({label}) in {query!r}" for label in labels - in_query]
    assert not problems, f"labels the metrics do not have: {problems}"


def test_operations_doc_describes_every_metric() -> None:
    doc = OPERATIONS.read_text()
    missing = [
        name
        for family, metric in exported_families().items()
        for name in [f"{family}_total" if isinstance(metric, Counter) else family]
        if f"`{name}`" not in doc
    ]
    assert not missing, f"docs/operations.md does not describe: {missing}"


# --- promtool -----------------------------------------------------------------------------------


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], capture_output=True, text=True, timeout=60, check=False
    )


@needs_promtool
def test_promtool_checks_rules_and_config() -> None:
    rules = promtool("check", "rules", str(ALERTS))
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = promtool("check", "config", "--syntax-only", str(PROMETHEUS_CONFIG))
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    recording = [
        {"record": f"dashboard:query_{i}", "expr": grafana_to_promql(query)}
        for i, query in enumerate(dashboard_queries(load_dashboard()))
        if not query.startswith("label_values(")
    ]
    rules_file = tmp_path / "dashboard_rules.yml"
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recording}]}))
    result = promtool("check", "rules", str(rules_file))
    assert result.returncode == 0, result.stdout + result.stderr


# Series (Prometheus unit-test notation: start+step x count, one sample a minute) that trip
# each alert, and healthy ones that trip none.
SERIES = 'corebank_http_requests_total{{route="/api/v1/accounts",status_class="{}"}}'
BUCKET = 'corebank_http_request_duration_seconds_bucket{{route="/api/v1/accounts",le="{}"}}'
ON = {"instance": "api:8000"}
FIRING: dict[str, tuple[dict[str, str], int, dict[str, str]]] = {
    # alert: (input series -> values, evaluation minute, labels of the alert besides the rule's)
    "CorebankDown": (
        {'up{job="corebank",instance="api:8000"}': "0x10"},
        5,
        {"job": "corebank", **ON},
    ),
    "CorebankHighErrorRate": (
        {SERIES.format("2xx"): "0+540x30", SERIES.format("5xx"): "0+60x30"},
        15,
        {},
    ),
    "CorebankHighLatencyP99": (
        {
            BUCKET.format("1"): "0x40",
            BUCKET.format("2.5"): "0+20x40",
            BUCKET.format("+Inf"): "0+20x40",
            SERIES.format("2xx"): "0+20x40",
        },
        20,
        {},
    ),
    "CorebankDatabaseBreakerOpen": (
        {'corebank_db_breaker_open{instance="api:8000"}': "1x10"},
        5,
        ON,
    ),
    "CorebankDatabaseRetriesSpiking": (
        {'corebank_db_transaction_retries_total{cause="deadlock"}': "0+30x30"},
        20,
        {"cause": "deadlock"},
    ),
    "CorebankLockoutSpike": ({"corebank_auth_lockouts_total": "0+2x40"}, 25, {}),
    "CorebankRefreshTokenReuse": (
        {"corebank_auth_refresh_reuse_detected_total": "0 0 1 1 1"},
        3,
        {},
    ),
    "CorebankRateLimitFallbackActive": (
        {'corebank_rate_limit_fallback_active{instance="api:8000"}': "1x10"},
        6,
        ON,
    ),
    "CorebankCreditBureauFailing": (
        {
            'corebank_credit_bureau_calls_total{outcome="ok"}': "0+1x40",
            'corebank_credit_bureau_calls_total{outcome="failed"}': "0+10x40",
        },
        25,
        {},
    ),
    "CorebankOutboxLagging": ({"corebank_outbox_oldest_pending_seconds": "0+60x40"}, 30, {}),
    "CorebankOutboxBacklogGrowing": ({"corebank_outbox_backlog": "400+10x90"}, 75, {}),
    "CorebankWebhookBreakersOpen": ({"corebank_webhook_breakers_open": "2x30"}, 20, {}),
}
HEALTHY = {
    'up{job="corebank",instance="api:8000"}': "1x90",
    SERIES.format("2xx"): "0+6000x90",
    SERIES.format("5xx"): "0+6x90",
    BUCKET.format("0.1"): "0+6000x90",
    BUCKET.format("1"): "0+6006x90",
    BUCKET.format("+Inf"): "0+6006x90",
    'corebank_db_breaker_open{instance="api:8000"}': "0x90",
    'corebank_db_transaction_retries_total{cause="serialization"}': "0+1x90",
    "corebank_auth_lockouts_total": "0+0.1x90",
    "corebank_auth_refresh_reuse_detected_total": "0x90",
    'corebank_rate_limit_fallback_active{instance="api:8000"}': "0x90",
    'corebank_credit_bureau_calls_total{outcome="ok"}': "0+20x90",
    'corebank_credit_bureau_calls_total{outcome="failed"}': "0+1x90",
    "corebank_outbox_oldest_pending_seconds": "2x90",
    "corebank_outbox_backlog": "3x90",
    "corebank_webhook_breakers_open": "0x90",
}


def test_alert_unit_tests_cover_every_alert() -> None:
    assert set(FIRING) == {rule["alert"] for rule in alert_rules()}


@needs_promtool
def test_promtool_alerts_fire_when_they_should(tmp_path: Path) -> None:
    # Annotations are left out: these tests are about the expressions, `for` and labels.
    alerts = load_alerts()
    rule_labels = {}
    for group in alerts["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
            rule_labels[rule["alert"]] = rule["labels"]
    rules_file = tmp_path / "alerts.yml"
    rules_file.write_text(yaml.safe_dump(alerts))
    tests = [
        {
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in series.items()],
            "alert_rule_test": [
                {
                    "eval_time": f"{minute}m",
                    "alertname": name,
                    "exp_alerts": [{"exp_labels": {**rule_labels[name], **labels}}],
                }
            ],
        }
        for name, (series, minute, labels) in FIRING.items()
    ]
    tests.append(
        {
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in HEALTHY.items()],
            "alert_rule_test": [
                {"eval_time": "85m", "alertname": name, "exp_alerts": []} for name in FIRING
            ],
        }
    )
    unit_file = tmp_path / "alerts_test.yml"
    unit_file.write_text(
        yaml.safe_dump(
            {"rule_files": [str(rules_file)], "evaluation_interval": "1m", "tests": tests}
        )
    )
    result = promtool("test", "rules", str(unit_file))
    assert result.returncode == 0, result.stdout + result.stderr
