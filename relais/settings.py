"""Relais settings: one module, every value read from the environment with a safe default.

Development needs nothing set: SQLite under ``data/``, mail printed to the console, tasks in the
database. Production (``RELAIS_ENV=production``) refuses to start with the development secret.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("RELAIS_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


RELAIS_ENV = os.environ.get("RELAIS_ENV", "development")
PRODUCTION = RELAIS_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "relais-development-secret-never-use-in-production"  # noqa: S105 - dev default
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# The company running the programme: named in contracts, statements and e-mails.
RELAIS_COMPANY_NAME = os.environ.get("RELAIS_COMPANY_NAME", "Relais Démo SAS")
# The company paying commissions: buyer on self-billed invoices, debtor of the SEPA transfers.
# The defaults are demo values (a valid but fictitious SIREN and IBAN).
RELAIS_COMPANY_SIREN = os.environ.get("RELAIS_COMPANY_SIREN", "732829320")
RELAIS_COMPANY_VAT = os.environ.get("RELAIS_COMPANY_VAT", "FR44732829320")
RELAIS_COMPANY_ADDRESS = os.environ.get("RELAIS_COMPANY_ADDRESS", "12 rue de la République")
RELAIS_COMPANY_POSTCODE = os.environ.get("RELAIS_COMPANY_POSTCODE", "69002")
RELAIS_COMPANY_CITY = os.environ.get("RELAIS_COMPANY_CITY", "Lyon")
RELAIS_COMPANY_IBAN = os.environ.get("RELAIS_COMPANY_IBAN", "FR7630006000011234567890189")
RELAIS_COMPANY_BIC = os.environ.get("RELAIS_COMPANY_BIC", "AGRIFRPP")
# The company's electronic invoicing address, "scheme:identifier" (BT-49 on self-billed invoices):
# by default its SIREN in the French e-invoicing directory (scheme 0225).
RELAIS_COMPANY_EINVOICE_ADDRESS = os.environ.get(
    "RELAIS_COMPANY_EINVOICE_ADDRESS", f"0225:{RELAIS_COMPANY_SIREN}"
)
# Self-billed invoices are due this many days after issue.
RELAIS_INVOICE_DUE_DAYS = int(os.environ.get("RELAIS_INVOICE_DUE_DAYS", "30"))
# Days a partner has to contest a self-billed invoice: the one figure the invoice and the
# self-billing mandate both state (the mandate through its {{ invoice_contest_days }} field).
RELAIS_INVOICE_CONTEST_DAYS = int(os.environ.get("RELAIS_INVOICE_CONTEST_DAYS", "15"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    # Only for its templates and static files: the API docs then load Swagger UI from our own
    # /static/ninja/ (the CDN copy needs outside network and inline script, which the CSP blocks).
    "ninja",
    "relais.core",
    "relais.accounts",
    "relais.partners",
    "relais.leads",
    "relais.routing",
    "relais.commissions",
    "relais.engagement",
    "relais.training",
    "relais.integrations",
    "relais.surveys",
    "relais.challenges",
    "relais.network",
    "relais.api",
    "relais.portal",
    "relais.reporting",
    "relais.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

if PRODUCTION:
    # Serves the files `collectstatic` gathered; in development runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "relais.urls"
WSGI_APPLICATION = "relais.wsgi.application"
ASGI_APPLICATION = "relais.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "relais" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "relais.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite in WAL mode by default (zero set-up); DATABASE_URL switches to PostgreSQL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'relais.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no data directory yet; SQLite cannot create it.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Kept across requests like PostgreSQL's (DB_CONN_MAX_AGE): a new SQLite connection reads
    # the whole schema again and runs its pragmas; one lead through the API took 4.0 ms of CPU
    # with a connection per request, 1.5 ms without.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" upgrades when two writers meet.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement run a fifth time on a connection
    # prepared there: parsed and planned once, not at every call. One lead through the API
    # cost PostgreSQL 1.3 ms of CPU, 0.7 ms so; psycopg stopped writing the values into the
    # text in Python too. Behind PgBouncer in transaction mode (before 1.21, or without
    # max_prepared_statements), set DB_PREPARE_THRESHOLD=off.
    _threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=None if _threshold in ("", "off", "none") else int(_threshold),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared between processes when Redis is configured --------------------------------
# django-redis keeps one Redis client per thread's cache, over a shared pool: Django's own
# backend builds a new client for every operation (~170 µs each here), and every API call reads
# its token from this cache.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks: one API (django.tasks), the engine chosen here ------------------------
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Authentication --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

RELAIS_MAGIC_LINK_MINUTES = int(os.environ.get("RELAIS_MAGIC_LINK_MINUTES", "15"))
RELAIS_MAGIC_LINK_MAX_PER_HOUR = int(os.environ.get("RELAIS_MAGIC_LINK_MAX_PER_HOUR", "5"))
RELAIS_INVITATION_LINK_MINUTES = int(os.environ.get("RELAIS_INVITATION_LINK_MINUTES", str(72 * 60)))
RELAIS_LOGIN_MAX_FAILURES = int(os.environ.get("RELAIS_LOGIN_MAX_FAILURES", "5"))
RELAIS_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("RELAIS_LOGIN_LOCKOUT_MINUTES", "15"))
# A lead for a prospect already referred within this many days is a duplicate of it.
RELAIS_LEAD_PROTECTION_DAYS = int(os.environ.get("RELAIS_LEAD_PROTECTION_DAYS", "180"))
# Who gets a prospect two partners referred: "first" (the first valid referral) or "last".
RELAIS_ATTRIBUTION_RULE = os.environ.get("RELAIS_ATTRIBUTION_RULE", "first")
if RELAIS_ATTRIBUTION_RULE not in {"first", "last"}:
    raise ImproperlyConfigured("RELAIS_ATTRIBUTION_RULE must be 'first' or 'last'.")
# Salespeople's network: a relationship's strength is shown faded (never rewritten) once its last
# interaction is older than this.
RELAIS_NETWORK_FADE_AFTER_DAYS = int(os.environ.get("RELAIS_NETWORK_FADE_AFTER_DAYS", "365"))
# Sharing is switched on team by team; a salesperson in no team shares (and sees) unless off.
RELAIS_NETWORK_SHARING_WITHOUT_TEAM = env_bool("RELAIS_NETWORK_SHARING_WITHOUT_TEAM", True)
# The secret path of the inbound-mail webhook (/inbound/email/<secret>/); empty disables it.
RELAIS_INBOUND_EMAIL_SECRET = os.environ.get("RELAIS_INBOUND_EMAIL_SECRET", "")
# The largest file of leads a manager may import.
RELAIS_IMPORT_MAX_MB = int(os.environ.get("RELAIS_IMPORT_MAX_MB", "500"))
# A long job (an import) silent this long lost its worker: the sweep, run this often, re-queues
# it to go on after its last committed part (core/resumable.py). A thousand rows take seconds.
RELAIS_STALLED_AFTER_SECONDS = int(os.environ.get("RELAIS_STALLED_AFTER_SECONDS", "300"))
RELAIS_RESUME_SWEEP_SECONDS = int(os.environ.get("RELAIS_RESUME_SWEEP_SECONDS", "60"))
# Domain events are delivered as soon as their transaction commits (core/outbox.py); this sweep
# delivers what a wake-up missed (queue unreachable) and the retries that came due.
RELAIS_EVENT_SWEEP_SECONDS = int(os.environ.get("RELAIS_EVENT_SWEEP_SECONDS", "30"))

# Network animation (engagement). An introducer's segment, judged each day from its counters:
# champion from CHAMPION_LEADS leads in 12 months, active from ACTIVE_LEADS (one within the last
# 3 months), occasional below that, dormant when nothing for DORMANT_MONTHS months, "new" when
# never referred and joined less than NEW_DAYS days ago. Shown on the segments page.
RELAIS_SEGMENT_CHAMPION_LEADS = int(os.environ.get("RELAIS_SEGMENT_CHAMPION_LEADS", "12"))
RELAIS_SEGMENT_ACTIVE_LEADS = int(os.environ.get("RELAIS_SEGMENT_ACTIVE_LEADS", "3"))
RELAIS_SEGMENT_DORMANT_MONTHS = int(os.environ.get("RELAIS_SEGMENT_DORMANT_MONTHS", "6"))
RELAIS_SEGMENT_NEW_DAYS = int(os.environ.get("RELAIS_SEGMENT_NEW_DAYS", "30"))
RELAIS_SEGMENT_SWEEP_MINUTES = int(os.environ.get("RELAIS_SEGMENT_SWEEP_MINUTES", "60"))
# Campaigns: the sending rate a new campaign gets, and the share held out to measure its effect.
RELAIS_CAMPAIGN_RATE_PER_MINUTE = int(os.environ.get("RELAIS_CAMPAIGN_RATE_PER_MINUTE", "600"))
RELAIS_CAMPAIGN_HOLDOUT = os.environ.get("RELAIS_CAMPAIGN_HOLDOUT", "0.10")
# Training: how long partners already active when a module becomes required keep working without
# it, the reminders before a certificate expires (days, comma-separated), how often they go out.
RELAIS_TRAINING_GRACE_DAYS = int(os.environ.get("RELAIS_TRAINING_GRACE_DAYS", "30"))
RELAIS_TRAINING_REMINDER_DAYS = [int(d) for d in env_list("RELAIS_TRAINING_REMINDER_DAYS", "30,7")]
RELAIS_TRAINING_SWEEP_MINUTES = int(os.environ.get("RELAIS_TRAINING_SWEEP_MINUTES", "60"))
# The public certificate verification page: lookups per address and hour (guessing codes).
RELAIS_TRAINING_VERIFY_MAX_PER_HOUR = int(
    os.environ.get("RELAIS_TRAINING_VERIFY_MAX_PER_HOUR", "60")
)
# Challenges: proposed personal targets are the participant's base (history, territory) raised by
# this uplift (%), never above this multiple of their best comparable period (attainable), never
# below this floor (a count, or euros for a revenue challenge).
RELAIS_CHALLENGE_UPLIFT_PERCENT = os.environ.get("RELAIS_CHALLENGE_UPLIFT_PERCENT", "10")
RELAIS_CHALLENGE_CAP_MULTIPLE = os.environ.get("RELAIS_CHALLENGE_CAP_MULTIPLE", "2")
RELAIS_CHALLENGE_TARGET_FLOOR = os.environ.get("RELAIS_CHALLENGE_TARGET_FLOOR", "1")
# Customer surveys (NPS): the survey goes this many days after a deal is won; a customer is asked
# at most once per throttle window; one reminder this many days after an unanswered survey; the
# one-click links work this long; a detractor's follow-up task is due this many days after; how
# often the sweep runs.
RELAIS_SURVEY_DELAY_DAYS = int(os.environ.get("RELAIS_SURVEY_DELAY_DAYS", "14"))
RELAIS_SURVEY_THROTTLE_DAYS = int(os.environ.get("RELAIS_SURVEY_THROTTLE_DAYS", "90"))
RELAIS_SURVEY_REMINDER_DAYS = int(os.environ.get("RELAIS_SURVEY_REMINDER_DAYS", "7"))
RELAIS_SURVEY_TOKEN_DAYS = int(os.environ.get("RELAIS_SURVEY_TOKEN_DAYS", "60"))
RELAIS_SURVEY_FOLLOW_UP_DAYS = int(os.environ.get("RELAIS_SURVEY_FOLLOW_UP_DAYS", "7"))
RELAIS_SURVEY_SWEEP_MINUTES = int(os.environ.get("RELAIS_SURVEY_SWEEP_MINUTES", "60"))
# The public survey pages (/s/: scores, comments, opt-out, invitations): requests an address may
# make in an hour (a customer clicks a few times; a robot trying tokens is stopped).
RELAIS_SURVEY_MAX_PER_HOUR = int(os.environ.get("RELAIS_SURVEY_MAX_PER_HOUR", "60"))
# Outbound webhooks: one deadline for each whole attempt; http:// endpoints only when
# DEBUG or this says so; private, loopback and link-local destinations only when this says so (an
# SSRF guard: keep it off in production); how long the previous secret still signs after a
# rotation; an endpoint failing this many days is disabled; how often the retry sweep runs.
RELAIS_WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("RELAIS_WEBHOOK_TIMEOUT_SECONDS", "15"))
RELAIS_WEBHOOK_ALLOW_HTTP = env_bool("RELAIS_WEBHOOK_ALLOW_HTTP", False)
RELAIS_WEBHOOK_ALLOW_PRIVATE = env_bool("RELAIS_WEBHOOK_ALLOW_PRIVATE", False)
RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS = int(
    os.environ.get("RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS", "24")
)
RELAIS_WEBHOOK_DISABLE_AFTER_DAYS = int(os.environ.get("RELAIS_WEBHOOK_DISABLE_AFTER_DAYS", "5"))
RELAIS_WEBHOOK_SWEEP_SECONDS = int(os.environ.get("RELAIS_WEBHOOK_SWEEP_SECONDS", "30"))
# The delivery log keeps a delivery done (delivered or failed) this many days (0: for ever).
RELAIS_WEBHOOK_LOG_DAYS = int(os.environ.get("RELAIS_WEBHOOK_LOG_DAYS", "30"))
# The domain of the Message-ID our programme e-mails carry (the provider's webhooks name it back).
RELAIS_MAIL_DOMAIN = os.environ.get("RELAIS_MAIL_DOMAIN", "relais.localhost")
RELAIS_CAMPAIGN_SWEEP_SECONDS = int(os.environ.get("RELAIS_CAMPAIGN_SWEEP_SECONDS", "60"))
# How often the worker looks for scheduled reports due (each is sent once per period).
RELAIS_REPORTS_SWEEP_SECONDS = int(os.environ.get("RELAIS_REPORTS_SWEEP_SECONDS", "900"))
RELAIS_AUTOMATION_SWEEP_MINUTES = int(os.environ.get("RELAIS_AUTOMATION_SWEEP_MINUTES", "60"))
# A list of more than 10,000 rows shows a total at most this old (see core/counting.py).
RELAIS_LIST_COUNT_SECONDS = int(os.environ.get("RELAIS_LIST_COUNT_SECONDS", "60"))
# An API token is looked up in the shared cache for this long, not in the database on every call.
# Revoking a token, or changing or deactivating its user, clears it at once — which only a cache
# shared by every process can do: without Redis, 0 (no caching) by default.
RELAIS_API_TOKEN_CACHE_SECONDS = int(
    os.environ.get("RELAIS_API_TOKEN_CACHE_SECONDS", "60" if os.environ.get("REDIS_URL") else "0")
)
# Calls one API token may make in a clock minute (then 429), counted by every process together;
# 0: no limit. `make bench` sends up to ~30,000 a minute from its one token: the default is
# above what a server of two cores can answer, a guard against a runaway client, not a quota.
RELAIS_API_MAX_PER_MINUTE = int(os.environ.get("RELAIS_API_MAX_PER_MINUTE", "120000"))
# The KPI pages show figures computed at most this long ago (see routing/kpis.py).
RELAIS_KPI_SNAPSHOT_SECONDS = int(os.environ.get("RELAIS_KPI_SNAPSHOT_SECONDS", "300"))
# Seed 002: each reseller should get at least this many leads a year (the router favours them).
RELAIS_ROUTING_YEARLY_MINIMUM = int(os.environ.get("RELAIS_ROUTING_YEARLY_MINIMUM", "10"))
# How much better KPIs earn more leads once everyone has the minimum: 0 = strictly equal shares,
# 1 = a perfect reseller counts as half served (so gets about twice a poor one's share).
RELAIS_ROUTING_KPI_WEIGHT = float(os.environ.get("RELAIS_ROUTING_KPI_WEIGHT", "1.0"))
# Seed 002's norms and the traffic-light warning levels (rates between 0 and 1).
RELAIS_NORMS = {
    "open_rate": 0.90,
    "open_rate_warning": 0.75,
    "treatment_rate": 0.80,
    "treatment_rate_warning": 0.65,
    "closure_rate": 0.50,
    "closure_rate_warning": 0.35,
    # The closure norm is a range (50–60 %): closing nearly everything is off it too.
    "closure_rate_max": 0.60,
    "closure_rate_max_warning": 0.75,
    "yearly_leads_warning": 5,
    "resellers_min": 4,
    "resellers_max": 5,
}
# SLA delays: reminder and reassignment when a lead is not opened, reminder when no status is
# declared, escalation to the managers when it is not closed.
RELAIS_SLA_OPEN_REMINDER_HOURS = int(os.environ.get("RELAIS_SLA_OPEN_REMINDER_HOURS", "48"))
RELAIS_SLA_REASSIGN_HOURS = int(os.environ.get("RELAIS_SLA_REASSIGN_HOURS", "96"))
RELAIS_SLA_STATUS_REMINDER_DAYS = int(os.environ.get("RELAIS_SLA_STATUS_REMINDER_DAYS", "30"))
RELAIS_SLA_ESCALATION_DAYS = int(os.environ.get("RELAIS_SLA_ESCALATION_DAYS", "90"))
RELAIS_SLA_SWEEP_MINUTES = int(os.environ.get("RELAIS_SLA_SWEEP_MINUTES", "15"))
# How often the task worker sends the GDPR art. 14 notices the intake marked (``leads.notices``).
RELAIS_NOTICE_SWEEP_MINUTES = int(os.environ.get("RELAIS_NOTICE_SWEEP_MINUTES", "1"))
RELAIS_REFERRAL_MAX_PER_HOUR = int(os.environ.get("RELAIS_REFERRAL_MAX_PER_HOUR", "10"))

# --- E-mail: console in development, SMTP (or any backend) from the environment ---------------
# Django 6.1 configures mail through MAILERS; the options depend on the backend chosen.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mail_options: dict[str, object] = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
# A transactional provider through django-anymail: EMAIL_BACKEND=anymail.backends.brevo.EmailBackend
# (or .mailjet, .scaleway, .mailgun, .postmark…) and that provider's keys as ANYMAIL_<NAME>
# variables (ANYMAIL_BREVO_API_KEY; ANYMAIL_MAILJET_API_KEY and ANYMAIL_MAILJET_SECRET_KEY;
# ANYMAIL_SCALEWAY_SECRET_KEY and ANYMAIL_SCALEWAY_PROJECT_ID…), read here into ANYMAIL so any
# provider anymail supports needs no code. ANYMAIL_WEBHOOK_SECRET ("user:password") is the basic
# auth the provider's webhooks must send to /e/anymail/<provider>/tracking/; without it they are
# refused. Anymail's backends take MAILERS as Django's own do (OPTIONS left empty: keys from here).
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <relais@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation: French first, English complete -------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "relais" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# English dates day first (relais/formats/en): one date order in both languages.
FORMAT_MODULE_PATH = ["relais.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "relais" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# --- Security: strict in production, relaxed for a local http server -------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Only our own files run or style a page: no inline script, style or handler (behaviour lives in
# static/relais/relais.js, looks in relais.css). The nonce is for the admin's few inline blocks.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# One handler, on the root logger, and one formatter stamping the site's time (core/logformat.py).
# Django first applies its own defaults, which give "django" a console handler of its own and
# "django.server" another: every line of a django.* logger (tasks, "Not Found", the reloader) was
# printed twice and the server's lines had their own clock. Naming "django" here removes those
# handlers from it and from every django.* logger, which then write through the root once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "relais": {
            "()": "relais.core.logformat.Formatter",
            "format": "[{asctime}] {levelname} {name}: {message}",
            "style": "{",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "relais"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "django.server": {"level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}
