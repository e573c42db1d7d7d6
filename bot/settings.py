"""Settings from the environment and `.env`, under names operators rely on, kept exactly
(docs/architecture.md#names-other-programs-rely-on)."""

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engine import default_sqlite_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(None, validation_alias="TALLY_DATABASE_URL")
    data_dir: Path = Field(Path("data"), validation_alias="TALLY_DATA_DIR")
    blob_url: str | None = Field(None, validation_alias="TALLY_BLOB_URL")
    s3_endpoint_url: str | None = Field(None, validation_alias="TALLY_S3_ENDPOINT_URL")
    public_url: str = Field("http://127.0.0.1:8000", validation_alias="TALLY_PUBLIC_URL")
    secret_key: str | None = Field(None, validation_alias="TALLY_SECRET_KEY")
    slot_seconds: int = Field(600, ge=10, le=600, validation_alias="TALLY_SLOT_SECONDS")
    retention_days: int | None = Field(None, ge=1, validation_alias="TALLY_RETENTION_DAYS")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(8000, validation_alias="PORT")
    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(None, validation_alias="SLACK_API_URL")
    discord_token: str | None = Field(None, validation_alias="DISCORD_TOKEN")
    discord_api_url: str | None = Field(None, validation_alias="DISCORD_API_URL")
    discord_gateway_url: str | None = Field(None, validation_alias="DISCORD_GATEWAY_URL")
    metrics_token: str | None = Field(None, validation_alias="TALLY_METRICS_TOKEN")
    log_format: str = Field("text", validation_alias="TALLY_LOG_FORMAT")  # json | text (anything else)

    @cached_property
    def sqlalchemy_url(self) -> str:
        return self.database_url or default_sqlite_url(self.data_dir)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token)
