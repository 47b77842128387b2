"""Work moto 5.2.5 repeats on every request although its answer has not changed.

Profiled under certinv's P3 load (4,500 calls over 300 accounts), the emulator spent
about a third of its CPU on three look-ups whose inputs are the same call after call:

- ``moto.iam.models.get_account_id_from``: which account an access key belongs to. moto
  walks every account's IAM backend in every partition (300 accounts x 7 partitions
  per call here), and it runs twice per request (moto's own ``get_current_account``
  and the op log).
- ``moto.core.responses.method_names_from_class``: ``inspect.getmembers`` over the
  response class, on every call, to learn whether the action is implemented.
- ``DomainDispatcherApplication.get_backend_for_host``: lists moto's package directory
  on disk and tries hundreds of URL patterns to map a host name to a service
  (``CachedDispatcher`` in ``server``).

Each is cached here so that a cached answer is never wrong, not merely "usually right":
state-changing calls (seeding, resets, AssumeRole, CreateAccessKey) keep working.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

_installed = False


class AccessKeyAccounts:
    """The account each access key belongs to, as moto's get_account_id_from answers.

    A hit is re-checked against the live IAM backend of the remembered account and
    partition (a few dict look-ups), so a key forgotten by a reset or deleted falls
    back to moto's full walk. "No account has it" is remembered per generation: the
    generation moves on after every key moto creates (CreateAccessKey, AssumeRole's
    temporary keys), so a key created later is never answered from an old miss.
    """

    def __init__(self, default_account: str) -> None:
        self._default = default_account
        # What a key no IAM backend holds belongs to (None: the default account, as in
        # moto). Forked workers (``workers``) read the account out of the key itself.
        self.unknown_key: Callable[[str], str | None] = lambda access_key: None
        self._lock = threading.Lock()
        self._found: dict[str, tuple[str, str]] = {}  # key -> (account, partition)
        self._missing: dict[str, int] = {}            # key -> generation when walked
        self.generation = 0

    def key_created(self) -> None:
        with self._lock:
            self.generation += 1

    @staticmethod
    def _walk(access_key: str) -> tuple[str, str] | None:
        """moto's walk, in its order, without its side effects: dict.get on moto's
        BackendDicts, whose own __getitem__ copies the key list and creates an IAM
        backend for every partition it is asked about (an empty one cannot hold the
        key, so the answer is the same)."""
        from moto.iam.models import iam_backends
        from moto.utilities.utils import PARTITION_NAMES

        for account, per_account in list(dict.items(iam_backends)):
            for partition in PARTITION_NAMES:
                backend = dict.get(per_account, partition)
                if backend is not None and access_key in backend.access_keys:
                    return account, partition
        return None

    def account_for(self, access_key: str) -> str:
        with self._lock:
            known = self._found.get(access_key)
            generation = self.generation
            missed_at = self._missing.get(access_key)
        if known is not None:
            account, partition = known
            from moto.iam.models import iam_backends

            per_account = dict.get(iam_backends, account)
            backend = dict.get(per_account, partition) if per_account is not None else None
            if backend is not None and access_key in backend.access_keys:
                return account
        elif missed_at == generation:
            return self.unknown_key(access_key) or self._default
        # The generation was read before walking: a key created during the walk moves it
        # on, so a miss recorded below is already stale.
        found = self._walk(access_key)
        with self._lock:
            if found is not None:
                self._found[access_key] = found
                self._missing.pop(access_key, None)
            else:
                self._found.pop(access_key, None)
                self._missing[access_key] = generation
        if found is not None:
            return found[0]
        return self.unknown_key(access_key) or self._default


KEY_ACCOUNTS: AccessKeyAccounts | None = None


def _cache_account_lookup() -> None:
    global KEY_ACCOUNTS
    import moto.iam.models as iam_models
    from moto.core import DEFAULT_ACCOUNT_ID

    KEY_ACCOUNTS = AccessKeyAccounts(DEFAULT_ACCOUNT_ID)
    # Both callers (moto's get_current_account, the op log) import the function from
    # the module at call time, so replacing the module attribute reaches them.
    iam_models.get_account_id_from = KEY_ACCOUNTS.account_for

    # Every key moto creates is inserted by one of these two methods; the generation
    # moves on once it is in place (see AccessKeyAccounts).
    for name in ("create_access_key", "create_temp_access_key"):
        original = getattr(iam_models.IAMBackend, name)

        def counting(self: Any, *args: Any, _original: Callable = original, **kwargs: Any) -> Any:
            try:
                return _original(self, *args, **kwargs)
            finally:
                KEY_ACCOUNTS.key_created()

        setattr(iam_models.IAMBackend, name, counting)


def _cache_method_names() -> None:
    import moto.core.responses as responses

    original = responses.method_names_from_class
    cache: dict[tuple[type, int], frozenset[str]] = {}

    def method_names(clazz: Any) -> frozenset[str]:
        # Keyed on the class and how many attributes it and its bases have, so that an
        # operation added to a response class later (as the extensions do) is seen.
        key = (clazz, sum(len(vars(c)) for c in clazz.__mro__))
        names = cache.get(key)
        if names is None:
            names = frozenset(original(clazz))
            cache[key] = names
        return names

    responses.method_names_from_class = method_names


def _load_service_models_once() -> None:
    """moto caches each botocore service model, but every thread that misses the cache
    loads it: 32 concurrent first calls to EC2 parse its 5 MB model 32 times over."""
    import moto.core.responses as responses
    import moto.core.routing as routing
    import moto.core.utils as utils

    original = utils.get_service_model
    loaded: dict[str, Any] = {}
    locks: dict[str, threading.Lock] = {}
    guard = threading.Lock()

    def get_service_model(service_name: str) -> Any:
        model = loaded.get(service_name)
        if model is None:
            with guard:
                lock = locks.setdefault(service_name, threading.Lock())
            with lock:
                model = loaded.get(service_name)
                if model is None:
                    model = loaded[service_name] = original(service_name)
        return model

    for module in (utils, responses, routing):
        module.get_service_model = get_service_model


def preload_service_models(names: tuple[str, ...] = ("acm", "ec2", "sts", "organizations",
                                                     "config", "iam")) -> None:
    """Loads the models certinv's calls need now rather than on the first calls (for
    forked workers: loaded once in the parent, shared by every child)."""
    import moto.core.utils as utils

    for name in names:
        utils.get_service_model(name)


def install() -> None:
    global _installed
    if _installed:
        return
    _cache_account_lookup()
    _cache_method_names()
    _load_service_models_once()
    _installed = True
