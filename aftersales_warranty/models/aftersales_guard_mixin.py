import base64
import binascii
import contextvars
import math
import re
from contextlib import contextmanager
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

# Set while the addons' own code writes what the system derives (states, dates, coverage): see
# ``system_writes``. A context variable, not an Odoo context key: a context travels with every
# JSON-RPC call, so a key in it is something any caller can send.
_SYSTEM_WRITES = contextvars.ContextVar("aftersales_system_writes", default=False)

# Dates people and systems can mean. Past these, Python's date arithmetic overflows (year 9999 + a
# deadline) or PostgreSQL refuses the value, each with a traceback instead of a sentence.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
INT_MAX = 2**31 - 1

# What a spreadsheet runs as a formula when a cell starts with it (CSV injection); a phone number in
# E.164 starts with "+" too, and is only digits after it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
E164_RE = re.compile(r"\+[0-9]{4,15}")


def neutralize_formula(value):
    """``value`` as a spreadsheet shows it, never runs it: a text starting with = + - @ (a tab or a
    carriage return) gets a leading apostrophe, except a phone number in E.164."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not E164_RE.fullmatch(value):
        return "'" + value
    return value


def check_internal_read(records, operation="read"):
    """Back-office actions (smart buttons, prints, new-record forms) are for internal users allowed
    ``operation`` on ``records``: a portal user, or a user of another company, is refused even
    though the action would only open a view."""
    env = records.env
    if env.su:
        return
    if env.user.share:
        raise AccessError(env._("This action is for the company's staff: it cannot be used from the portal."))
    records.check_access(operation)


@contextmanager
def system_writes():
    """Within this block the addons' code may write the fields a model protects from users."""
    token = _SYSTEM_WRITES.set(True)
    try:
        yield
    finally:
        _SYSTEM_WRITES.reset(token)


class AftersalesGuardMixin(models.AbstractModel):
    """Values checked where they are written, whoever writes them (form, import, JSON-RPC).

    * Every value must fit its field: a link is the id of an existing record, a number is a number
      within the database's range, a date is a plausible date, a choice is one of the field's
      choices, a text holds no NUL character. Otherwise a ValidationError names the field, before
      anything reaches PostgreSQL.
    * ``_aftersales_protected_fields()`` are derived by the system (states, dates, coverage): users
      cannot write them, over RPC included; the addons' actions, crons and hooks write them inside
      ``system_writes()`` (or as superuser, which no RPC caller is). Each model and each addon adds
      its own with ``super()``.
    * System mode covers the system's own call only. The values a user sends, the x2many commands
      nested in them included, meet every guarded model's rules: the ORM runs a nested command as a
      ``create`` or ``write`` of its model, which checks it as it checks a direct call.

    Models of Odoo's core that hold after-sales values (partners, repair orders, opportunities)
    inherit it too, with ``_aftersales_check_values = False``: their protected fields are guarded,
    the rest of their values are left to Odoo.
    """

    _name = "aftersales.guard.mixin"
    _description = "After-Sales Value Guard"

    # Whether every value is checked against its field (the addons' own models), or only the
    # protected fields (core models the addons extend).
    _aftersales_check_values = True

    def _aftersales_protected_fields(self):
        """The fields the system derives on this model: a set each model and addon extends with
        ``return super()._aftersales_protected_fields() | {...}``."""
        return set()

    @api.model_create_multi
    def create(self, vals_list):
        if self._aftersales_check_values:  # (a core model keeps its own order of checks)
            self.check_access("create")  # who may not create at all is told so first
        self._aftersales_check_vals_list(vals_list, creating=True)
        # Copies: what the model derives must not end up in the caller's dictionaries.
        vals_list = self._aftersales_prepare_create([dict(vals) for vals in vals_list])
        # Not in system mode: what the model derived above is written as it is, but the records the
        # caller's x2many commands create or change are checked by their own model's guard.
        return super().create(vals_list)

    def write(self, vals):
        try:
            if self._aftersales_check_values:  # (a core model keeps its own order of checks)
                self.check_access("write")
        except AccessError as denied:
            # Who may not write here and sends what the system derives (an agent on a warranty) is
            # told why: the sentence of the protected field, as an access error.
            try:
                self._aftersales_check_protected(vals, creating=False)
            except UserError as error:
                raise AccessError(error.args[0]) from denied
            raise
        self._aftersales_check_vals_list([vals], creating=False)
        vals = self._aftersales_prepare_write(dict(vals))
        return super().write(vals)

    @api.model
    def default_get(self, fields):
        """A protected field starts from its field's own default, never from the context's
        ``default_<field>`` (any JSON-RPC caller chooses its context, and a context travels into
        the superuser code a click runs, the mail gateway's included) nor from a default a user
        saved: those are values too, added by the ORM after the guard checked the values sent."""
        defaults = super().default_get(fields)
        for name in self._aftersales_protected_fields():
            if name not in defaults:
                continue
            field = self._fields[name]
            if field.default:
                # In the form default_get gives (an id, not a record), as for every default.
                value = field.convert_to_cache(field.default(self), self, validate=False)
                defaults[name] = field.convert_to_write(value, self)
            else:
                del defaults[name]
        return defaults

    def _system_write(self, vals):
        """``write`` by the addons' own code: states, dates and other values users cannot write."""
        with system_writes():
            return self.write(vals)

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        """Hook: the values to create once they passed the guard (references, derived values).

        Runs before anything is written, so a refusal here burns no sequence number.
        """
        return vals_list

    def _aftersales_prepare_write(self, vals):
        """Hook: the values to write once they passed the guard."""
        return vals

    def _aftersales_serialize_on(self, records):
        """Serialise the transactions that decide on a quota of ``records`` (an agent's goodwill
        coupons of the month, a technician's agenda): count, then write, one transaction at a time.

        A lock alone is not enough: under Odoo's REPEATABLE READ isolation, the second transaction
        would count from the snapshot it took before waiting. Writing the owner's row makes
        PostgreSQL refuse the second one with a serialization failure, which Odoo's RPC layer
        retries on a fresh snapshot, where the first one's records are counted. Raw SQL: the ORM
        has no "touch" of a row, and a real write would change its values and tracking."""
        for record_id in sorted(set(records.ids)):
            # Not logged when refused: the refusal is expected, and Odoo starts the request again.
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET write_date = write_date WHERE id = %s",
                    SQL.identifier(records._table),
                    record_id,
                ),
                log_exceptions=False,
            )

    # ------------------------------------------------------------------

    def _check_manager(self, action):
        """Refuse ``action`` (a verb phrase) to anyone but an After-Sales manager (or the system)."""
        if not self.env.su and not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only an After-Sales manager can %(action)s.", action=action))

    def _aftersales_may_write_protected(self, creating):
        """Whether the current code may write protected fields (the system, never a user)."""
        return self.env.su or _SYSTEM_WRITES.get()

    def _aftersales_protected_error(self, field):
        return UserError(
            self.env._(
                "%(field)s is set by the system on %(model)s: use the record's buttons instead "
                "of writing it.",
                field=field.get_description(self.env)["string"],
                model=self.env["ir.model"]._get(self._name).name,
            )
        )

    def _aftersales_protected_defaults(self, vals, names):
        """The values of protected fields ``names`` a new record may be created with (``vals`` are
        its values): by default, the fields' own defaults."""
        return self.default_get(names)

    def _aftersales_check_protected(self, vals, creating):
        protected = [name for name in self._aftersales_protected_fields() if name in vals]
        if not protected or self._aftersales_may_write_protected(creating):
            return
        if creating:
            # A form or a script may send a protected field's default value, nothing else.
            defaults = self._aftersales_protected_defaults(vals, protected)
        for name in protected:
            field = self._fields[name]
            if creating:
                default = defaults.get(name, False)
                if field.convert_to_cache(vals[name], self) != field.convert_to_cache(default, self):
                    raise self._aftersales_protected_error(field)
                continue
            new = field.convert_to_cache(vals[name], self)
            # sudo: compared, not shown (a field of a group the writer is not in is refused as well)
            for record in self.sudo():
                if field.convert_to_cache(record[name], record) != new:
                    raise self._aftersales_protected_error(field)

    def _aftersales_value_error(self, field, value):
        return ValidationError(
            self.env._(
                "%(field)s cannot take the value %(value)s.",
                field=field.get_description(self.env)["string"],
                value=repr(value)[:60],
            )
        )

    def _aftersales_check_vals_list(self, vals_list, creating):
        """Refuse, with the field's name, any value that does not fit its field.

        Links are checked to exist with one query per linked model, whatever the number of records.
        """
        links = {}  # comodel -> {id: field}
        for vals in vals_list:
            self._aftersales_check_protected(vals, creating)
            if not self._aftersales_check_values:
                continue
            for name, value in vals.items():
                field = self._fields.get(name)
                if field is None or value is None or value is False:
                    continue
                check = getattr(self, f"_aftersales_check_{field.type}", None)
                if check and not check(field, value):
                    raise self._aftersales_value_error(field, value)
                if field.type == "many2one":
                    links.setdefault(field.comodel_name, {}).setdefault(value, field)
        for comodel, ids in links.items():
            # The linked records are read next anyway (a claim reads its serial, its customer):
            # checking that they exist fetches their columns in the same query.
            Comodel = self.env[comodel].sudo().with_context(active_test=False)
            columns = [
                name
                for name, field in Comodel._fields.items()
                if field.column_type and field.prefetch is True and not field.company_dependent
            ]
            existing = set(Comodel.search_fetch([("id", "in", list(ids))], columns).ids)
            for record_id, field in ids.items():
                if record_id not in existing:
                    raise ValidationError(
                        self.env._(
                            "%(field)s: there is no record with id %(id)s.",
                            field=field.get_description(self.env)["string"],
                            id=record_id,
                        )
                    )

    def _aftersales_check_many2one(self, field, value):
        return type(value) is int and 0 < value <= INT_MAX

    def _aftersales_check_integer(self, field, value):
        return type(value) is int and -INT_MAX - 1 <= value <= INT_MAX

    def _aftersales_check_float(self, field, value):
        return type(value) in (int, float) and math.isfinite(value) and abs(value) < 1e15

    _aftersales_check_monetary = _aftersales_check_float

    def _aftersales_check_boolean(self, field, value):
        return type(value) is bool or value in (0, 1)

    def _aftersales_check_char(self, field, value):
        return isinstance(value, str) and "\x00" not in value

    _aftersales_check_text = _aftersales_check_char
    _aftersales_check_html = _aftersales_check_char

    def _aftersales_check_selection(self, field, value):
        if not isinstance(value, str):
            return False
        selection = field.get_values(self.env)
        return value in selection

    def _aftersales_check_date(self, field, value):
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError, OverflowError):
            return False
        return day is not None and DATE_MIN <= day <= DATE_MAX

    def _aftersales_check_datetime(self, field, value):
        try:
            moment = fields.Datetime.to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return False
        return isinstance(moment, datetime) and DATE_MIN <= moment.date() <= DATE_MAX

    def _aftersales_check_binary(self, field, value):
        """A file is base64 (bytes or text); a photo or a signature in anything else would reach the
        ORM's decoder and end in a traceback."""
        if not isinstance(value, (str, bytes)):
            return False
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True

    _aftersales_check_image = _aftersales_check_binary
