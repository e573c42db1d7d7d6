from tests.api.conftest import agent, api, clock, session_id  # noqa: F401
from tests.slack.conftest import fake, fresh_fake, slack  # noqa: F401
