"""The API describes itself at /openapi.json, and answers every error the same way."""

import pytest

from tests.api.world import API


def test_openapi_describes_the_agent_api(api):
    spec = api.get("/openapi.json").json()
    operations = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert {(f"{API}/pair", "post"), (f"{API}/state", "get"), (f"{API}/slots", "post"), (f"{API}/events", "post")} <= operations
    slots = spec["paths"][f"{API}/slots"]["post"]
    body = slots["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["required"] == ["meta"] and body["schema"]["properties"]["screenshot"]["format"] == "binary"
    assert set(body["schema"]["properties"]["meta"]["required"]) == {"session_id", "slot_start", "minutes"}
    assert {"200", "201", "400", "401", "404", "409", "413", "422"} <= set(slots["responses"])
    assert slots["security"] == [{"DeviceToken": []}] and "security" not in spec["paths"][f"{API}/pair"]["post"]
    assert spec["components"]["schemas"]["ApiError"]["required"] == ["error", "detail"]


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/v1/agent/nothing", 404),
    ("delete", f"{API}/slots", 405),
    ("get", f"{API}/pair", 405),
])
def test_unknown_routes_and_methods_answer_in_json(api, method, path, status):
    answer = api.request(method, path)
    assert answer.status_code == status and set(answer.json()) == {"error", "detail"}
