from axes.apps import AppConfig as AxesAppConfig


class LoginGuardConfig(AxesAppConfig):
    """django-axes under a Chinese name in the back office; everything else is the package's own."""

    verbose_name = "登录防护"
