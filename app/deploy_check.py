"""`advisor check --deploy`: the settings that are fine on a laptop and unsafe in production (R37).

Like Django's `check --deploy`: each problem names the setting to change. It reads settings and the
filesystem only; it never starts the app or opens the database.
"""

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from app.config import Settings

# A production secret this short is refused (Django's security.W009 asks for 50 characters).
DEPLOY_SECRET_LENGTH = 50
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Filesystems whose locking SQLite cannot rely on (sqlite.org/useovernet.html).
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph",
                                 "glusterfs", "fuse.glusterfs"})


def deploy_problems(settings: Settings, *, mounts: Path = Path("/proc/mounts")) -> list[str]:
    """What is unsafe for a public deployment, one sentence per problem, naming its setting."""
    problems = []
    secret = _secret_text(settings)
    if secret is None:
        problems.append(f"ADVISOR_SECRET_KEY: not set and no {settings.secret_key_file} yet; set a random "
                        f"value of at least {DEPLOY_SECRET_LENGTH} characters, the same on every instance.")
    elif len(secret) < DEPLOY_SECRET_LENGTH:
        problems.append(f"ADVISOR_SECRET_KEY: {len(secret)} characters; use at least {DEPLOY_SECRET_LENGTH} "
                        "random ones (it derives every share link).")
    base = urlsplit(settings.public_base_url)
    if not settings.base_url:
        problems.append("ADVISOR_BASE_URL: not set; share links would point at "
                        f"{settings.public_base_url}. Set the address people use, e.g. https://advisor.example.com.")
    if base.hostname not in LOCAL_HOSTS and not (settings.https and base.scheme == "https"):
        problems.append("ADVISOR_HTTPS: serve a public address over HTTPS and set ADVISOR_HTTPS=true with an "
                        "https:// ADVISOR_BASE_URL: links carry secrets, cookies need Secure and HSTS.")
    if (settings.host not in LOCAL_HOSTS and base.hostname not in LOCAL_HOSTS
            and settings.forwarded_allow_ips.strip() in LOCAL_HOSTS):
        # Listening on every interface for a public address means a proxy on another host or container;
        # trusting only 127.0.0.1 ignores its X-Forwarded-For, so all clients share one rate-limit bucket.
        problems.append(f"ADVISOR_FORWARDED_ALLOW_IPS: only {settings.forwarded_allow_ips} is trusted, but "
                        f"the app listens on {settings.host} for {base.hostname}: name your proxy's "
                        "address (or * where only the proxy can reach the app), or all clients share one "
                        "rate limit.")
    if any(host.startswith("*") for host in settings.allowed_hosts):
        problems.append("ADVISOR_ALLOWED_HOSTS: a wildcard lets any Host header in; name the real hosts.")
    # Each worker holds its pool, its overflow, and its event loop's own connection (app.db.LoopConnection).
    wanted = settings.db_instances * settings.workers * (settings.db_pool_size + settings.db_max_overflow + 1)
    limit = settings.db_max_connections
    if not settings.is_sqlite and limit is not None and wanted > limit:
        problems.append(f"ADVISOR_DB_POOL_SIZE: {settings.db_instances} instances x {settings.workers} "
                        f"workers x ({settings.db_pool_size} pool + {settings.db_max_overflow} overflow + 1 "
                        f"for the event loop) = {wanted} connections, more than "
                        f"ADVISOR_DB_MAX_CONNECTIONS={limit}; "
                        "lower the pool or overflow, or raise PostgreSQL's max_connections.")
    filesystem = _sqlite_filesystem(settings, mounts)
    if filesystem in NETWORK_FILESYSTEMS:
        problems.append(f"ADVISOR_DATABASE_URL: the SQLite file is on a network filesystem ({filesystem}), "
                        "where its locking is unreliable; use a local disk or PostgreSQL.")
    return problems


def _secret_text(settings: Settings) -> str | None:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    if settings.secret_key_file.exists():
        return settings.secret_key_file.read_text().strip()
    return None


def _sqlite_filesystem(settings: Settings, mounts: Path) -> str | None:
    """The filesystem type holding the SQLite file (the longest mount point above it), if known."""
    if not settings.is_sqlite or not mounts.exists():
        return None
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        return None
    folder = Path(database).resolve().parent
    best, kind = -1, None
    for line in mounts.read_text().splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if folder.is_relative_to(point) and len(point.parts) > best:
            best, kind = len(point.parts), fields[2]
    return kind
