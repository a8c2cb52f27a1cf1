"""Settings shared by all targets: declared per target as a frozen dataclass, resolved from
the command line, pyproject.toml, `FLOWC_*` variables and defaults (docs/settings.md)."""

from flowc.targets.settings.resolve import Resolved, resolve_settings
from flowc.targets.settings.schema import CommonSettings, SettingsError, SettingSpec, setting
from flowc.targets.settings.sources import parse_overrides

__all__ = ["CommonSettings", "Resolved", "SettingSpec", "SettingsError", "parse_overrides",
           "resolve_settings", "setting"]
