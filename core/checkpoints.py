"""Signed checkpoints of the audit trail, as Certificate Transparency's signed tree heads.

The hash chains (core.audit) show that no event of a chain was edited, but someone who owns the
audit table can delete the last events of a chain, add one with a recomputed hash, or empty the
table, and every remaining chain still verifies. A checkpoint pins the trail's state outside
anyone's reach to rewrite it unseen:

- **The cut.** Every event with an id up to `last_event_id`, and no other: the maker waits for
  audit writers in flight (a SHARE lock on the table, held by a short transaction of its own that
  reads `max(id)`), so no event with a smaller id can commit later. The cut is the same set of
  rows forever after.
- **The leaves.** One per chain (stream) that has events in the cut: `stream`, the chain's length
  and the hash of its last event in the cut, as the UTF-8 text "<stream>\\n<length>\\n<head>".
  Leaves are ordered by the stream's UTF-8 bytes (Python's sort, never the database's collation).
- **The root.** RFC 6962's Merkle Tree Hash over the leaves: SHA-256 of 0x00 + leaf for a leaf,
  of 0x01 + left + right for a node, splitting at the largest power of two below the count; the
  empty tree hashes to SHA-256 of nothing.
- **The signature.** Ed25519 over the checkpoint's text (`signed_text`: size, chains, cut, root,
  time), with the private key from AUDIT_SIGNING_KEY (never in the database). The public key is
  stored and exported with each checkpoint; an auditor compares it with the published one.

Each stored checkpoint also keeps the leaves that changed since the previous one (`changes`), so
the leaves of any checkpoint are the fold of every earlier checkpoint's changes; verifying checks
that fold against the signed root, so the stored changes cannot be edited unseen either, and
`verify_audit` can name which chain lost its tail or was rewritten.

Without AUDIT_SIGNING_KEY: with DEBUG on (development, the demo) each process makes a throw-away
key and says so in the log; with DEBUG off, making a checkpoint is refused (SigningKeyMissing),
`manage.py check --deploy` warns, and the aggregation hook logs an error instead of failing a run.
"""

import base64
import datetime
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from . import clock
from .models import AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

FORMAT = "electadmin audit checkpoint v1"
# Serialises the making of checkpoints (session advisory lock key: "ckpt" in ASCII).
_MAKER_LOCK = 0x636B7074
_EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


class SigningKeyMissing(Exception):
    """No AUDIT_SIGNING_KEY with DEBUG off: checkpoints are refused rather than signed by a key nobody keeps."""


class SigningKeyInvalid(Exception):
    """AUDIT_SIGNING_KEY is neither a base64 Ed25519 private key (32 bytes) nor a PEM one."""


# --- Merkle tree (RFC 6962, section 2.1) -----------------------------------------------------


def leaf_bytes(stream, length, head):
    return f"{stream}\n{length}\n{head}".encode()


def leaf_hash(stream, length, head):
    return hashlib.sha256(b"\x00" + leaf_bytes(stream, length, head)).digest()


def _node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def _mth(hashes):
    n = len(hashes)
    if n == 1:
        return hashes[0]
    split = 1 << ((n - 1).bit_length() - 1)  # the largest power of two smaller than n
    return _node(_mth(hashes[:split]), _mth(hashes[split:]))


def ordered(leaves):
    """Leaves in the one canonical order: by the stream's UTF-8 bytes."""
    return sorted(leaves, key=lambda leaf: leaf[0].encode())


def merkle_root(leaves):
    """Hex root of [(stream, length, head), ...] (ordered here)."""
    if not leaves:
        return _EMPTY_ROOT
    return _mth([leaf_hash(*leaf) for leaf in ordered(leaves)]).hex()


# --- keys ----------------------------------------------------------------------------------

_ephemeral_key = None


def _load_private_key(raw):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = raw.strip()
    try:
        if raw.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(raw.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise SigningKeyInvalid(_("AUDIT_SIGNING_KEY is a PEM key, but not an Ed25519 one."))
            return key
        seed = base64.b64decode(raw, validate=True)
    except SigningKeyInvalid:
        raise
    except Exception as exc:
        raise SigningKeyInvalid(_("AUDIT_SIGNING_KEY is neither base64 nor PEM.")) from exc
    if len(seed) != 32:
        raise SigningKeyInvalid(
            _("AUDIT_SIGNING_KEY must hold 32 bytes (base64), not %(count)d.") % {"count": len(seed)}
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key():
    """The Ed25519 private key checkpoints are signed with (see the module's note)."""
    global _ephemeral_key
    raw = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if raw:
        return _load_private_key(raw)
    if not settings.DEBUG:
        raise SigningKeyMissing(
            "AUDIT_SIGNING_KEY is not set: audit checkpoints are not signed (docs/OPERATIONS.md, section 13)."
        )
    if _ephemeral_key is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        _ephemeral_key = Ed25519PrivateKey.generate()
        logger.warning(
            "AUDIT_SIGNING_KEY is not set: audit checkpoints of this process are signed with a throw-away key "
            "(DEBUG only)"
        )
    return _ephemeral_key


def public_key_b64(private_key):
    from cryptography.hazmat.primitives import serialization

    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def trusted_public_key():
    """The public key checkpoints must carry: AUDIT_PUBLIC_KEY, else the configured signing key's;
    None when neither is set (then each checkpoint is checked against the key it carries)."""
    configured = getattr(settings, "AUDIT_PUBLIC_KEY", "")
    if configured:
        return configured.strip()
    if getattr(settings, "AUDIT_SIGNING_KEY", ""):
        return public_key_b64(_load_private_key(settings.AUDIT_SIGNING_KEY))
    return None


def new_key_pair():
    """(private key as base64, public key as base64) for AUDIT_SIGNING_KEY and its publication."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.b64encode(seed).decode(), public_key_b64(key)


def signature_valid(public_key, signature, text):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), text.encode())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- the state of the trail ----------------------------------------------------------------


def signed_text(*, size, chains, last_event_id, root, created_at):
    """The exact text a checkpoint's signature covers."""
    moment = created_at.astimezone(datetime.UTC).isoformat()
    return f"{FORMAT}\nsize {size}\nchains {chains}\nlast-event {last_event_id}\nroot {root}\ntime {moment}\n"


def _cut():
    """The id of the last event of a consistent cut (0 for an empty trail): every audit writer in
    flight has committed or rolled back, and every later event gets a larger id."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # LOCK ... IN SHARE MODE, in a function of the owner's (migration core 0006): the
            # application role may only read and append to the audit table.
            with connection.cursor() as cursor:
                cursor.execute("SELECT electadmin_audit_cut()")
                return cursor.fetchone()[0]
        return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def leaves_at(last_event_id):
    """{stream: (length, head hash, id of the head)} of every chain, counting events up to the cut."""
    rows = (
        AuditEvent.objects.filter(pk__lte=last_event_id)
        .values("stream")
        .annotate(length=Count("id"), last=Max("id"))
        .values_list("stream", "length", "last")
    )
    rows = list(rows)
    hashes = {}
    ids = [last for _, _, last in rows]
    for start in range(0, len(ids), 5000):
        hashes.update(AuditEvent.objects.filter(pk__in=ids[start : start + 5000]).values_list("id", "hash"))
    return {stream: (length, hashes.get(last, ""), last) for stream, length, last in rows}


def _sign_and_store(*, occasion, last_event_id, state, previous):
    key = signing_key()
    leaves = [(stream, length, head) for stream, (length, head, _) in state.items()]
    size = sum(length for _, length, _ in leaves)
    root = merkle_root(leaves)
    created_at = clock.now().astimezone(datetime.UTC)
    text = signed_text(size=size, chains=len(leaves), last_event_id=last_event_id, root=root, created_at=created_at)
    signature = base64.b64encode(key.sign(text.encode())).decode()
    since = previous.last_event_id if previous is not None else 0
    changes = [[stream, length, head] for stream, (length, head, last) in sorted(state.items()) if last > since]
    return AuditCheckpoint.objects.create(
        created_at=created_at,
        occasion=occasion,
        size=size,
        chains=len(leaves),
        last_event_id=last_event_id,
        root=root,
        signature=signature,
        public_key=public_key_b64(key),
        changes=changes,
    )


def make_checkpoint(occasion=AuditCheckpoint.Occasion.MANUAL):
    """Sign and store a checkpoint of the trail as it is now; returns it.

    Raises SigningKeyMissing with DEBUG off and no AUDIT_SIGNING_KEY. On PostgreSQL the makers run
    one at a time (a session advisory lock), so each checkpoint's `changes` are relative to the one
    before it."""
    signing_key()  # refuse before taking any lock
    if connection.vendor != "postgresql":
        with transaction.atomic():
            last = _cut()
            previous = AuditCheckpoint.objects.order_by("-id").first()
            return _sign_and_store(occasion=occasion, last_event_id=last, state=leaves_at(last), previous=previous)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_MAKER_LOCK])
    try:
        last = _cut()
        with transaction.atomic():
            previous = AuditCheckpoint.objects.order_by("-id").first()
            if previous is not None and previous.last_event_id > last:
                last = previous.last_event_id  # never behind the one before (a concurrent caller's cut)
            return _sign_and_store(occasion=occasion, last_event_id=last, state=leaves_at(last), previous=previous)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_MAKER_LOCK])


def checkpoint_after_commit(occasion):
    """Make a checkpoint once the current transaction commits (an aggregation run's hook). A missing
    key or a failure is logged: the run's results stand whatever happens to the checkpoint."""

    def make():
        try:
            make_checkpoint(occasion)
        except SigningKeyMissing as exc:
            logger.error("audit checkpoint not made: %s", exc)
        except Exception:
            logger.exception("audit checkpoint not made")

    transaction.on_commit(make)


# --- export and verification ---------------------------------------------------------------


def leaves_of(checkpoint):
    """The leaves of a stored checkpoint: every earlier checkpoint's changes folded in order."""
    state = {}
    earlier = AuditCheckpoint.objects.filter(pk__lte=checkpoint.pk).order_by("pk").values_list("changes", flat=True)
    for changes in earlier.iterator(chunk_size=100):
        for stream, length, head in changes or []:
            state[stream] = (length, head)
    return [(stream, length, head) for stream, (length, head) in state.items()]


def export(checkpoint, *, with_chains=True):
    """The checkpoint as a JSON-ready dict (what `audit_checkpoint --export` writes and the API serves)."""
    data = {
        "format": FORMAT,
        "id": checkpoint.pk,
        "time": checkpoint.created_at.astimezone(datetime.UTC).isoformat(),
        "occasion": checkpoint.occasion,
        "size": checkpoint.size,
        "chains": checkpoint.chains,
        "last_event_id": checkpoint.last_event_id,
        "root": checkpoint.root,
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
        "signed_text": checkpoint.signed_text(),
    }
    if with_chains:
        data["heads"] = [list(leaf) for leaf in ordered(leaves_of(checkpoint))]
    return data


@dataclass
class Finding:
    """One thing `verify_audit` found wrong: a stable kind, and what differs, for people."""

    kind: str
    message: str


@dataclass
class Claim:
    """A checkpoint to verify against, stored or read from an exported file."""

    source: str
    size: int
    chains: int
    last_event_id: int
    root: str
    created_at: datetime.datetime
    signature: str
    public_key: str
    heads: list | None = field(default=None)

    @classmethod
    def from_stored(cls, checkpoint):
        return cls(
            source=_("stored checkpoint #%(id)s") % {"id": checkpoint.pk},
            size=checkpoint.size,
            chains=checkpoint.chains,
            last_event_id=checkpoint.last_event_id,
            root=checkpoint.root,
            created_at=checkpoint.created_at,
            signature=checkpoint.signature,
            public_key=checkpoint.public_key,
            heads=leaves_of(checkpoint),
        )

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT:
            raise ValueError(_("%(path)s is not an electadmin audit checkpoint.") % {"path": path})
        heads = data.get("heads")
        return cls(
            source=_("checkpoint file %(path)s") % {"path": path},
            size=int(data["size"]),
            chains=int(data["chains"]),
            last_event_id=int(data["last_event_id"]),
            root=str(data["root"]),
            created_at=datetime.datetime.fromisoformat(data["time"]),
            signature=str(data["signature"]),
            public_key=str(data["public_key"]),
            heads=[tuple(head) for head in heads] if heads is not None else None,
        )

    def text(self):
        return signed_text(
            size=self.size,
            chains=self.chains,
            last_event_id=self.last_event_id,
            root=self.root,
            created_at=self.created_at,
        )


def verify_claim(claim, *, trusted_key=None):
    """Findings that show the trail does not extend `claim` (an empty list when it does)."""
    findings = []
    what = claim.source
    if not signature_valid(claim.public_key, claim.signature, claim.text()):
        findings.append(
            Finding(
                "checkpoint_altered",
                _("%(what)s: the signature does not match its size, chains, cut, root and time (the record was edited)")
                % {"what": what},
            )
        )
    if trusted_key and claim.public_key != trusted_key:
        findings.append(
            Finding(
                "unknown_key",
                _("%(what)s: signed with the key %(key)s, not the published %(trusted)s")
                % {"what": what, "key": claim.public_key, "trusted": trusted_key},
            )
        )
    if claim.heads is not None and (
        merkle_root(claim.heads) != claim.root
        or sum(length for _, length, _ in claim.heads) != claim.size
        or len(claim.heads) != claim.chains
    ):
        findings.append(
            Finding(
                "checkpoint_altered",
                _("%(what)s: its list of chain heads does not give its signed root") % {"what": what},
            )
        )
        claim.heads = None  # cannot name chains from an altered list
    state = leaves_at(claim.last_event_id)
    size_now = sum(length for length, _, _ in state.values())
    root_now = merkle_root([(stream, length, head) for stream, (length, head, _) in state.items()])
    if root_now == claim.root and size_now == claim.size:
        return findings
    in_table = AuditEvent.objects.count()
    if claim.size and (size_now == 0 or in_table == 0):
        findings.append(
            Finding(
                "truncated",
                _(
                    "truncated: %(what)s covers %(size)d events in %(chains)d chains (up to event %(cut)d); "
                    "the table holds %(now)d of them and %(total)d events in all"
                )
                % {
                    "what": what,
                    "size": claim.size,
                    "chains": claim.chains,
                    "cut": claim.last_event_id,
                    "now": size_now,
                    "total": in_table,
                },
            )
        )
        return findings
    if claim.heads is None:
        findings.append(
            Finding(
                "root_mismatch",
                _(
                    "%(what)s: up to event %(cut)d the trail now holds %(now)d events in %(chains_now)d chains with "
                    "root %(root_now)s; the checkpoint recorded %(size)d events in %(chains)d chains with root %(root)s"
                )
                % {
                    "what": what,
                    "cut": claim.last_event_id,
                    "now": size_now,
                    "chains_now": len(state),
                    "root_now": root_now,
                    "size": claim.size,
                    "chains": claim.chains,
                    "root": claim.root,
                },
            )
        )
        return findings
    recorded = {stream: (length, head) for stream, length, head in claim.heads}
    for stream in sorted(set(recorded) | set(state), key=str.encode):
        then = recorded.get(stream)
        now = state.get(stream)
        label = stream or _("(legacy chain)")
        if now is None:
            findings.append(
                Finding(
                    "removed_tail",
                    _("removed: chain %(chain)s had %(length)d events at %(what)s; all are gone")
                    % {"chain": label, "length": then[0], "what": what},
                )
            )
        elif then is None:
            findings.append(
                Finding(
                    "inserted",
                    _("inserted: chain %(chain)s has %(length)d events up to event %(cut)d, absent from %(what)s")
                    % {"chain": label, "length": now[0], "cut": claim.last_event_id, "what": what},
                )
            )
        elif now[0] < then[0]:
            findings.append(
                Finding(
                    "removed_tail",
                    _(
                        "removed tail: chain %(chain)s has %(now)d of the %(then)d events recorded by %(what)s; "
                        "the last %(gone)d are gone (recorded head %(head)s)"
                    )
                    % {
                        "chain": label,
                        "now": now[0],
                        "then": then[0],
                        "what": what,
                        "gone": then[0] - now[0],
                        "head": then[1],
                    },
                )
            )
        elif now[0] > then[0]:
            findings.append(
                Finding(
                    "inserted",
                    _("inserted: chain %(chain)s has %(now)d events up to event %(cut)d; %(what)s recorded %(then)d")
                    % {"chain": label, "now": now[0], "then": then[0], "cut": claim.last_event_id, "what": what},
                )
            )
        elif now[1] != then[1]:
            findings.append(
                Finding(
                    "forged",
                    _(
                        "forged: chain %(chain)s ends in event %(event)d with hash %(now)s, but %(what)s recorded "
                        "head %(then)s (an event rewritten with a recomputed hash)"
                    )
                    % {"chain": label, "event": now[2], "now": now[1], "what": what, "then": then[1]},
                )
            )
    return findings
