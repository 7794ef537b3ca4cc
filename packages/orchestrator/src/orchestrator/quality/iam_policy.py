"""Evaluating identity policies against one request (action, resource, known context), offline.

This owns AWS's documented evaluation logic for identity-based policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

- an explicit Deny in any statement wins; otherwise an Allow is required (implicit deny);
- `Action`/`NotAction` and `Resource`/`NotResource`, with the wildcards `*` and `?`; action
  names compare case-insensitively, resource ARNs case-sensitively;
- `Condition`: a key we were given is evaluated with the common operators (String*, Arn*,
  Bool, Null, `…IfExists`); a key we were NOT given makes the statement *conditional* — the
  third verdict. We cannot know what AWS will put in the request context, so a grant that
  depends on it is never reported as a pass.

No library does this faithfully (PMapper matches ARNs case-insensitively and does not import on
Python >= 3.10), hence this module. It is general: any policy of any role, plain data in,
plain data out; the IAM contract and the least-privilege scan of the deploy roles share it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny matched
    IMPLICIT_DENY = "implicit-deny"  # no Allow matched
    CONDITIONAL = "conditional"  # the outcome depends on context keys we do not know

    @property
    def allowed(self) -> bool:
        return self is Verdict.ALLOWED


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    action: str
    resource: str
    allowed_by: tuple[str, ...] = ()  # statement ids (Sid or policy#index) whose Allow matched
    denied_by: tuple[str, ...] = ()
    unknown_keys: tuple[str, ...] = ()  # condition keys that made a statement conditional

    def __str__(self) -> str:
        extra = f" (unknown condition keys: {', '.join(self.unknown_keys)})" if self.unknown_keys else ""
        return f"{self.action} on {self.resource}: {self.verdict.value}{extra}"


@dataclass(frozen=True)
class Policy:
    """One policy document with a name to report (e.g. `bookingchat-dev-chat/chat`)."""

    name: str
    document: Mapping

    def statements(self) -> list[tuple[str, Mapping]]:
        raw = self.document.get("Statement", [])
        items = [raw] if isinstance(raw, Mapping) else list(raw)
        return [(st.get("Sid") or f"{self.name}#{i}", st) for i, st in enumerate(items)]


@dataclass
class _Match:
    matched: bool
    unknown: list[str] = field(default_factory=list)


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str | bool | int) else list(value)


_LITERALS = {"${*}": r"\*", "${?}": r"\?", "${$}": r"\$"}
_TOKENS = re.compile(r"\$\{[*?$]\}|[*?]|[^*?$]+|\$")


def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern:
    # IAM wildcards: `*` any run of characters (also across `/` and `:`), `?` one character;
    # `${*}`, `${?}`, `${$}` stand for the literal characters.
    parts = []
    for tok in _TOKENS.findall(glob):
        if tok in _LITERALS:
            parts.append(_LITERALS[tok])
        elif tok == "*":
            parts.append(".*")
        elif tok == "?":
            parts.append(".")
        else:
            parts.append(re.escape(tok))
    flags = (re.IGNORECASE if ignore_case else 0) | re.DOTALL
    return re.compile("^" + "".join(parts) + "$", flags)


def action_matches(pattern: str, action: str) -> bool:
    return bool(_pattern(pattern, ignore_case=True).match(action))


_POLICY_VARIABLE = re.compile(r"\$\{(?![*?$]\})[^}]+\}")


def resource_matches(pattern: str, resource: str) -> bool | None:
    """True/False; None when the pattern holds a policy variable (`${aws:username}`) we cannot fill."""
    if _POLICY_VARIABLE.search(pattern):
        return None
    return bool(_pattern(pattern, ignore_case=False).match(resource))


def _statement_applies(st: Mapping, action: str, resource: str) -> _Match:
    if "Action" in st:
        if not any(action_matches(p, action) for p in _as_list(st["Action"])):
            return _Match(False)
    elif "NotAction" in st:
        if any(action_matches(p, action) for p in _as_list(st["NotAction"])):
            return _Match(False)
    else:
        return _Match(False)  # a statement without either element is invalid: it grants nothing
    if "Resource" in st:
        results = [resource_matches(p, resource) for p in _as_list(st["Resource"])]
        matched = any(r is True for r in results)
        if not matched:
            if any(r is None for r in results):
                return _Match(True, ["<policy variable in Resource>"])
            return _Match(False)
    elif "NotResource" in st:
        results = [resource_matches(p, resource) for p in _as_list(st["NotResource"])]
        if any(r is True for r in results):
            return _Match(False)
        if any(r is None for r in results):
            return _Match(True, ["<policy variable in NotResource>"])
    else:
        return _Match(False)
    return _Match(True)


# ── conditions ───────────────────────────────────────────────────────────────────────────────

_STRING_OPS = {
    "StringEquals": lambda v, p: v == p,
    "StringNotEquals": lambda v, p: v != p,
    "StringEqualsIgnoreCase": lambda v, p: v.lower() == p.lower(),
    "StringNotEqualsIgnoreCase": lambda v, p: v.lower() != p.lower(),
    "StringLike": lambda v, p: bool(_pattern(p, ignore_case=False).match(v)),
    "StringNotLike": lambda v, p: not _pattern(p, ignore_case=False).match(v),
    "ArnEquals": lambda v, p: bool(_pattern(p, ignore_case=False).match(v)),
    "ArnLike": lambda v, p: bool(_pattern(p, ignore_case=False).match(v)),
    "ArnNotEquals": lambda v, p: not _pattern(p, ignore_case=False).match(v),
    "ArnNotLike": lambda v, p: not _pattern(p, ignore_case=False).match(v),
    "Bool": lambda v, p: str(v).lower() == str(p).lower(),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _condition(block: Mapping, context: Mapping[str, object]) -> _Match:
    """All operators and keys must hold (AND); the values of one key are alternatives (OR)."""
    ctx = {k.lower(): v for k, v in context.items()}  # condition key names are case-insensitive
    unknown: list[str] = []
    for raw_op, pairs in block.items():
        qualifier, _, op = raw_op.rpartition(":")
        if_exists = op.endswith("IfExists")
        base = op.removesuffix("IfExists")
        for key, wanted in pairs.items():
            present = key.lower() in ctx
            if base == "Null":
                # Null: true means "the key is absent"; we can only answer when we know.
                if not present:
                    unknown.append(key)
                    continue
                if str(_as_list(wanted)[0]).lower() == "true":
                    return _Match(False)
                continue
            if not present:
                if if_exists:
                    continue  # documented: …IfExists is true when the key is absent
                unknown.append(key)
                continue
            check = _STRING_OPS.get(base)
            if check is None:
                unknown.append(f"{key} ({raw_op} not evaluated)")
                continue
            values = [str(v) for v in _as_list(ctx[key.lower()])]
            patterns = [str(p) for p in _as_list(wanted)]
            # a negated operator holds when the value matches none of the patterns
            combine = all if base in _NEGATED else any
            hits = [combine(check(v, p) for p in patterns) for v in values]
            ok = all(hits) if qualifier == "ForAllValues" else any(hits)
            if not ok:
                return _Match(False)
    return _Match(True, unknown)


def evaluate(
    policies: Iterable[Policy], action: str, resource: str, context: Mapping[str, object] | None = None
) -> Decision:
    """The verdict of AWS's evaluation for identity policies alone (no SCP, boundary, session)."""
    context = context or {}
    allows, denies, cond_allows, cond_denies, unknown = [], [], [], [], []
    for policy in policies:
        for sid, st in policy.statements():
            applies = _statement_applies(st, action, resource)
            if not applies.matched:
                continue
            cond = _condition(st.get("Condition") or {}, context)
            if not cond.matched:
                continue
            keys = applies.unknown + cond.unknown
            deny = st.get("Effect") == "Deny"
            if keys:
                unknown.extend(keys)
                (cond_denies if deny else cond_allows).append(sid)
            else:
                (denies if deny else allows).append(sid)
    if denies:
        verdict = Verdict.DENIED
    elif allows and not cond_denies:
        verdict = Verdict.ALLOWED
    elif allows or cond_allows:
        verdict = Verdict.CONDITIONAL
    else:
        verdict = Verdict.IMPLICIT_DENY
    return Decision(
        verdict,
        action,
        resource,
        tuple(allows + cond_allows),
        tuple(denies + cond_denies),
        tuple(dict.fromkeys(unknown)),
    )
