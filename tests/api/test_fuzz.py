"""Schemathesis over /openapi.json: whatever a client sends, no 500 and no answer off the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlmodel import select

from bot.services import links
from storage.tables import Contract
from tests.api.conftest import NOW
from tests.api.world import API, BOB, bearer, make_app

LONGEST_POLL = 0.05  # seconds; the fuzzer would otherwise ask for waits of up to two minutes
# Not "negative data rejection": unknown query parameters are ignored on purpose (older servers
# must accept newer agents), and the token sent below replaces the fuzzer's missing-header cases.
# Not "positive data acceptance": well-formed slots of unknown sessions are rightly refused (404).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, ignored_auth, unsupported_method]


@pytest.fixture
def api_schema(ctx, clock, agent, session_id):
    return schemathesis.openapi.from_asgi("/openapi.json", make_app(ctx, clock))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def diary_token(ctx, agent) -> str:
    """A genuine link of bob's, so the pages are fuzzed past the signature check too."""
    with ctx.unit() as s:
        contract_id = s.exec(select(Contract.id)).one()
    return links.diary_link(ctx, BOB, contract_id, now=NOW).url.rsplit("/", 1)[-1]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case, agent, diary_token):
    _shorten_polls(case)
    if "token" in (case.path_parameters or {}) and len(str(case.path_parameters["token"])) % 2:
        case.path_parameters["token"] = diary_token
    needs_token = case.path.startswith(API) and case.path != f"{API}/pair"
    case.call_and_validate(headers=bearer(agent) if needs_token else None, checks=CHECKS)


def _shorten_polls(case) -> None:
    """Keeps refused values (negative, not numbers) as they are; clips valid long waits."""
    wait = (case.query or {}).get("wait")
    try:
        number = float(wait)
    except (TypeError, ValueError):
        return
    if 0 < number <= 120:
        case.query["wait"] = LONGEST_POLL
